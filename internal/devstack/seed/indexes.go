package seed

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// codeNotImplemented is what FerretDB answers for index options it lacks
// (expireAfterSeconds among them).
const codeNotImplemented = 238

// indexDef is one index of the seeded collections. These definitions serve
// the seed only; the storage package owns the canonical ones. Names and key
// orders follow the platform's, so both sets can coexist on one database
// without a conflicting-spec error.
type indexDef struct {
	name   string
	keys   bson.D
	unique bool
	sparse bool
	ttl    *int32 // expireAfterSeconds
}

func ttl(seconds int32) *int32 { return &seconds }

var eventIndexDefs = []indexDef{
	{name: "event_id_1", keys: bson.D{e("event_id", 1)}, unique: true},
	{name: "idx_event_type_ts", keys: bson.D{e("event_type", 1), e("timestamp", -1)}},
	{name: "idx_aggregate_ts", keys: bson.D{e("aggregate_id", 1), e("timestamp", -1)}},
	{name: "idx_meta_user_ts", keys: bson.D{e("metadata.user_id", 1), e("timestamp", -1)}},
	{name: "idx_meta_service_ts", keys: bson.D{e("metadata.service_name", 1), e("timestamp", -1)}},
	{name: "idx_execution_id", keys: bson.D{e("execution_id", 1)}, sparse: true},
	{name: "idx_ttl", keys: bson.D{e("ttl_expires_at", 1)}, ttl: ttl(0)},
}

var dlqIndexDefs = []indexDef{
	{name: "idx_dlq_event_id", keys: bson.D{e("event.event_id", 1)}, unique: true},
	{name: "idx_dlq_event_type", keys: bson.D{e("event.event_type", 1)}},
	{name: "original_topic_1", keys: bson.D{e("original_topic", 1)}},
	{name: "idx_dlq_status", keys: bson.D{e("status", 1)}},
	{name: "next_retry_at_1", keys: bson.D{e("next_retry_at", 1)}},
	{name: "idx_dlq_created_ttl", keys: bson.D{e("created_at", 1)}, ttl: ttl(7 * 24 * 3600)},
}

func (d indexDef) model() mongo.IndexModel {
	o := options.Index().SetName(d.name)
	if d.unique {
		o.SetUnique(true)
	}
	if d.sparse {
		o.SetSparse(true)
	}
	if d.ttl != nil {
		o.SetExpireAfterSeconds(*d.ttl)
	}
	return mongo.IndexModel{Keys: d.keys, Options: o}
}

// EnsureIndexes creates the indexes the seeded collections need, one
// createIndexes command per index: FerretDB v1.24.0 panics (and drops the
// connection) when one command lists two or more indexes that already exist,
// so a batched call would not be idempotent there. TTL indexes are skipped
// where the server does not implement them (FerretDB): expiry does not
// matter for seeded data.
func EnsureIndexes(ctx context.Context, events, dlq *mongo.Collection) error {
	for _, c := range []struct {
		coll *mongo.Collection
		defs []indexDef
	}{{events, eventIndexDefs}, {dlq, dlqIndexDefs}} {
		for _, d := range c.defs {
			if err := createIndex(ctx, c.coll, d); err != nil {
				return err
			}
		}
	}
	return nil
}

func createIndex(ctx context.Context, coll *mongo.Collection, d indexDef) error {
	_, err := coll.Indexes().CreateOne(ctx, d.model())
	var se mongo.ServerError
	if d.ttl != nil && errors.As(err, &se) && se.HasErrorCode(codeNotImplemented) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("seed: create index %s on %s: %w", d.name, coll.Name(), err)
	}
	return nil
}
