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
