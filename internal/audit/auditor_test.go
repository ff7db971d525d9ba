package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func newAuditor(t *testing.T) (*audit.Auditor, *store.Store) {
	t.Helper()
	db := testenv.Database(t)
	st := store.FromClient(db.Client(), store.Options{Database: db.Name()})
	return &audit.Auditor{Store: st, Actor: "ana@ops", Version: "1.2.3", Host: "bastion-1"}, st
}

func stored(t *testing.T, st *store.Store, id string) audit.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var r audit.Record
	if err := st.Audit().Collection().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r); err != nil {
		t.Fatalf("load audit record %s: %v", id, err)
	}
	return r
}

// The intent is stored, outcome unknown, before Finish; Finish sets the
// outcome, the counts, the ids learnt while acting and the finish time. A
// process that dies in between leaves exactly the first state.
func TestIntentThenOutcome(t *testing.T) {
	a, st := newAuditor(t)
	ctx := context.Background()
	rec, err := a.Begin(ctx, audit.Intent{Action: audit.DLQRetry, Targets: []string{"ev-1", "ev-2"}, Reason: "fixed"})
	if err != nil {
		t.Fatal(err)
	}
	got := stored(t, st, rec.ID)
	if got.Outcome != audit.Unknown || got.FinishedAt != nil || got.Actor != "ana@ops" || got.Action != audit.DLQRetry ||
		got.Reason != "fixed" || got.Version != "1.2.3" || got.Host != "bastion-1" || len(got.Targets) != 2 {
		t.Fatalf("intent: %+v", got)
	}
	out := audit.BatchOutcome(1, 1, 0, nil)
	out.Targets = []string{"ev-3"}
	if err := a.Finish(ctx, rec, out); err != nil {
		t.Fatal(err)
	}
	got = stored(t, st, rec.ID)
	if got.Outcome != audit.Partial || got.Counts == nil || *got.Counts != (audit.Counts{Succeeded: 1, Failed: 1}) ||
		got.FinishedAt == nil || fmt.Sprint(got.Targets) != "[ev-1 ev-2 ev-3]" || got.Reason != "fixed" {
		t.Fatalf("outcome: %+v", got)
	}
}

// A bulk intent stores at most MaxTargets ids and counts the rest.
func TestIntentBoundsTargets(t *testing.T) {
	a, st := newAuditor(t)
	ids := make([]string, audit.MaxTargets+5)
	for i := range ids {
		ids[i] = fmt.Sprintf("ev-%d", i)
	}
	rec, err := a.Begin(context.Background(), audit.Intent{Action: audit.DLQDiscard, Targets: ids})
	if err != nil {
		t.Fatal(err)
	}
	if got := stored(t, st, rec.ID); len(got.Targets) != audit.MaxTargets || got.TargetsOmitted != 5 {
		t.Fatalf("%d targets stored, %d omitted", len(got.Targets), got.TargetsOmitted)
	}
}

// An unreachable MongoDB fails Begin as Unavailable, within its timeout,
// saying nothing was done.
func TestBeginFailsUnavailableWithinItsTimeout(t *testing.T) {
	uri := testenv.Shared(t).MongoURI()
	proxy := testenv.MongoProxy(t, uri)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Connect(ctx, store.Options{URI: proxy.URI(uri), Database: testenv.Database(t).Name(), Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	proxy.Down()
	a := &audit.Auditor{Store: st, Actor: "ana", Timeout: time.Second}
	began := time.Now()
	_, err = a.Begin(ctx, audit.Intent{Action: audit.ReplayCancel, Targets: []string{"s-1"}})
	took := time.Since(began)
	if fault.KindOf(err) != fault.Unavailable {
		t.Fatalf("Begin: %v (kind %v), want unavailable", err, fault.KindOf(err))
	}
	if took > 10*time.Second {
		t.Errorf("Begin took %v with a 1 s timeout", took)
	}
	t.Logf("Begin failed after %v: %v", took, err)
}
