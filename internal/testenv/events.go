package testenv

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/uuid"
)

// UUID is a random version 4 UUID, the form the platform's event ids take.
func UUID() string { return uuid.New() }

// SeedEvents stores n events of type typ in the contract's shape in the
// events collection coll, one second apart an hour ago, and returns their
// ids.
func SeedEvents(t testing.TB, coll *mongo.Collection, typ string, n int) []string {
	t.Helper()
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	docs := make([]any, n)
	ids := make([]string, n)
	for i := range n {
		ids[i] = UUID()
		docs[i] = bson.D{
			{Key: "event_id", Value: ids[i]}, {Key: "event_type", Value: typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: base.Add(time.Duration(i) * time.Second)},
			{Key: "aggregate_id", Value: UUID()},
			{Key: "metadata", Value: bson.D{
				{Key: "service_name", Value: "e2e"}, {Key: "service_version", Value: "1.0.0"},
				{Key: "user_id", Value: "user-1"}, {Key: "environment", Value: "production"},
			}},
			{Key: "stored_at", Value: base},
			{Key: "seq", Value: i},
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatalf("seed %d %s events: %v", n, typ, err)
	}
	return ids
}

// FindAll decodes every document of coll that matches filter into T,
// failing the test on any error.
func FindAll[T any](t testing.TB, coll *mongo.Collection, filter bson.D, opts ...options.Lister[options.FindOptions]) []T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cur, err := coll.Find(ctx, filter, opts...)
	if err != nil {
		t.Fatalf("find in %s: %v", coll.Name(), err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		t.Fatalf("read %s: %v", coll.Name(), err)
	}
	return out
}
