package store_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/store"
)

// ensureAll runs every EnsureIndexes replayctl has; optional indexes the
// server cannot make are not failures.
func ensureAll(t *testing.T, st *store.Store) {
	t.Helper()
	c := ctx(t)
	for name, ensure := range map[string]func() error{
		"dlq_messages": func() error { return st.DLQ.EnsureIndexes(c) },
		"dlq_invalid":  func() error { return st.DLQInvalid().EnsureIndexes(c) },
		"dlq_claims":   func() error { return st.DLQClaims().EnsureIndexes(c) },
		"leases":       func() error { return st.Leases().EnsureIndexes(c) },
		"requests":     func() error { return st.Requests().EnsureIndexes(c) },
		"sessions":     func() error { return st.Sessions.EnsureIndexes(c) },
	} {
		if err := ensure(); err != nil && !store.OptionalIndexesOnly(err) {
			t.Fatalf("ensure %s indexes: %v", name, err)
		}
	}
}

// Where every index exists (an administrator made them; the role may lack
// createIndex), ensuring them sends listIndexes only: no createIndexes
// command at all, which a least-privilege role would refuse.
func TestEnsureIndexesSendsNoCreateWhenEveryIndexExists(t *testing.T) {
	t.Parallel()
	st, w := monitoredStore(t, "")
	c := ctx(t)
	ensureAll(t, st)
	// The embedded server has no TTL indexes; the platform's TTL on
	// created_at stands in as a plain index of the same keys.
	_, err := st.DLQ.Collection().Indexes().CreateOne(c, mongo.IndexModel{Keys: bson.D{{Key: "created_at", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	w.take()

	ensureAll(t, st)
	lists := 0
	for _, cmd := range w.take() {
		switch cmd.Name {
		case "createIndexes":
			t.Errorf("createIndexes sent on %s although its indexes exist: %s", cmd.Collection, cmd.Command)
		case "listIndexes":
			lists++
		}
	}
	if lists < 6 {
		t.Errorf("listIndexes sent %d times, want one per collection (6)", lists)
	}
}

// The unique event.event_id index is what makes ingestion idempotent; it
// is really there after EnsureIndexes on the embedded server.
func TestEnsureIndexesMakesEventIDUnique(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	c := ctx(t)
	if err := st.DLQ.EnsureIndexes(c); err != nil && !store.OptionalIndexesOnly(err) {
		t.Fatal(err)
	}
	doc := bson.D{{Key: "event", Value: bson.D{{Key: "event_id", Value: "e1"}}}}
	if _, err := st.DLQ.Collection().InsertOne(c, doc); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DLQ.Collection().InsertOne(c, bson.D{{Key: "event", Value: bson.D{{Key: "event_id", Value: "e1"}}}}); !store.IsDuplicateKey(err) {
		t.Fatalf("second insert of e1: %v, want a duplicate key error", err)
	}
}
