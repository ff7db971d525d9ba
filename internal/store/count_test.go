package store_test

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// The unfiltered total comes from $collStats, which the embedded server
// must answer exactly (it counts SQLite cells), also after deletes; a
// filter still counts exactly.
func TestEventsCountTotalsFromCollectionStatsExactly(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	c := ctx(t)
	events := st.Events.Collection()
	if n, err := st.Events.Count(c, contract.Filter{}); err != nil || n != 0 {
		t.Fatalf("total of a missing collection = %d, %v; want 0", n, err)
	}
	docs := make([]any, 25)
	now := time.Now().UTC()
	for i := range docs {
		typ := "pod_created"
		if i%5 == 0 {
			typ = "pod_failed"
		}
		docs[i] = bson.D{{Key: "event_id", Value: fmt.Sprintf("ev-%02d", i)}, {Key: "event_type", Value: typ},
			{Key: "timestamp", Value: now.Add(time.Duration(i) * time.Second)}}
	}
	if _, err := events.InsertMany(c, docs); err != nil {
		t.Fatal(err)
	}
	if _, err := events.DeleteMany(c, bson.D{{Key: "event_id", Value: bson.D{{Key: "$in", Value: bson.A{"ev-01", "ev-02", "ev-05"}}}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := store.CollStatsCount(c, events); err != nil || n != 22 {
		t.Fatalf("$collStats count = %d, %v; want 22", n, err)
	}
	if n, err := st.Events.Count(c, contract.Filter{}); err != nil || n != 22 {
		t.Fatalf("total = %d, %v; want 22", n, err)
	}
	if n, err := st.Events.Count(c, contract.Filter{EventTypes: []string{"pod_failed"}}); err != nil || n != 4 {
		t.Fatalf("filtered count = %d, %v; want 4", n, err)
	}
}

// DLQ counts by status are one count per status, each filtered on status
// (served by the status index on MongoDB) and bounded by maxTimeMS, never a
// $group over the whole collection; statuses the platform adds and
// documents without one are still counted.
func TestCountByStatusCountsPerStatusWithMaxTime(t *testing.T) {
	t.Parallel()
	st, w := monitoredStore(t, "")
	c := ctx(t)
	var docs []any
	add := func(n int, status any) {
		for range n {
			d := bson.D{{Key: "event", Value: bson.D{{Key: "event_id", Value: fmt.Sprintf("e%d", len(docs))}}}}
			if status != nil {
				d = append(d, bson.E{Key: "status", Value: status})
			}
			docs = append(docs, d)
		}
	}
	add(3, "pending")
	add(2, "retried")
	add(1, "on_hold") // a status the platform added later
	add(1, nil)       // no status at all
	if _, err := st.DLQ.Collection().InsertMany(c, docs); err != nil {
		t.Fatal(err)
	}
	w.take()
	if _, err := st.Events.Count(c, contract.Filter{}); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range w.take() {
		if _, err := cmd.Command.LookupErr("maxTimeMS"); err != nil && cmd.Collection == st.Collections().Events {
			t.Errorf("events total: %s sent without maxTimeMS: %s", cmd.Name, cmd.Command)
		}
	}
	got, err := st.DLQ.CountByStatus(c)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"pending": 3, "retried": 2, "on_hold": 1, store.NoStatus: 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
	for _, cmd := range w.take() {
		if cmd.Collection != st.DLQ.Name() {
			continue
		}
		if _, err := cmd.Command.LookupErr("maxTimeMS"); err != nil {
			t.Errorf("%s sent without maxTimeMS: %s", cmd.Name, cmd.Command)
		}
		if cmd.Name != "aggregate" {
			continue
		}
		stages, _ := cmd.Command.Lookup("pipeline").Array().Values()
		if _, err := stages[0].Document().LookupErr("$collStats"); err == nil {
			continue // the total, from the collection's statistics
		}
		if _, err := stages[0].Document().LookupErr("$match", "status"); err != nil {
			t.Errorf("aggregate does not start with a $match on status: %s", cmd.Command)
		}
	}
}
