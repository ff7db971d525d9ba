package seed_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func indexNames(ctx context.Context, t *testing.T, coll *mongo.Collection) []string {
	t.Helper()
	specs, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatalf("list indexes of %s: %v", coll.Name(), err)
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	return names
}

// EnsureIndexes is idempotent and, on FerretDB, skips the TTL indexes it
// cannot create instead of failing.
func TestEnsureIndexesIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Database(t)
	events, dlq := db.Collection("events"), db.Collection("dlq_messages")
	for range 2 {
		if err := seed.EnsureIndexes(ctx, events, dlq); err != nil {
			t.Fatalf("EnsureIndexes: %v", err)
		}
	}
	want := map[*mongo.Collection][]string{
		events: {"event_id_1", "idx_event_type_ts", "idx_aggregate_ts", "idx_meta_user_ts", "idx_meta_service_ts", "idx_execution_id"},
		dlq:    {"idx_dlq_event_id", "idx_dlq_event_type", "original_topic_1", "idx_dlq_status", "next_retry_at_1"},
	}
	for coll, names := range want {
		got := indexNames(ctx, t, coll)
		for _, n := range names {
			if !slices.Contains(got, n) {
				t.Errorf("%s lacks index %s (has %v)", coll.Name(), n, got)
			}
		}
	}
}

// Seed writes in batches of 1000; a count that is not a multiple still
// lands exactly, in custom collections.
func TestSeedAcrossBatchesIntoCustomCollections(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 1,234 events")
	}
	t.Parallel()
	ctx := context.Background()
	db := testenv.Database(t)
	res, err := seed.Seed(ctx, db, seed.Options{Events: 1234, DLQMessages: -1, Now: now,
		Rand: rand.New(rand.NewPCG(1, 1)), EventsCollection: "ev", DLQCollection: "dl"})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	n, err := db.Collection("ev").CountDocuments(ctx, bson.D{})
	if err != nil || n != 1234 || res.Events != 1234 {
		t.Fatalf("stored %d (err %v), Result.Events %d, want 1234", n, err, res.Events)
	}
	if m, _ := db.Collection("dl").CountDocuments(ctx, bson.D{}); m != 0 || res.DLQMessages != 0 {
		t.Fatalf("DLQMessages -1 still stored %d messages", m)
	}
}

// With fewer events than DLQ messages, every message still gets its own event.
func TestSeedFewEventsStillFillsDLQ(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Database(t)
	res, err := seed.Seed(ctx, db, seed.Options{Events: 5, Now: now, Rand: rand.New(rand.NewPCG(3, 3))})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if res.Events != 5 || res.DLQMessages != 20 {
		t.Fatalf("Result = %+v, want 5 events and 20 DLQ messages", res)
	}
}

func TestSeedRejectsNegativeEvents(t *testing.T) {
	t.Parallel()
	if _, err := seed.Seed(context.Background(), testenv.Database(t), seed.Options{Events: -1}); err == nil {
		t.Fatal("Seed accepted Events = -1")
	}
}
