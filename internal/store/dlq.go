package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// DLQ is the `dlq_messages` collection, shared with the platform.
type DLQ struct {
	c *mongo.Collection
}

// Collection exposes the collection for tests and benchmarks (seeding).
func (d *DLQ) Collection() *mongo.Collection { return d.c }

// Name is the collection's name.
func (d *DLQ) Name() string { return d.c.Name() }

// CountByStatus counts DLQ messages per status.
func (d *DLQ) CountByStatus(ctx context.Context) (map[string]int64, error) {
	counts, err := countByField(ctx, d.c, "$status")
	if err != nil {
		return nil, fmt.Errorf("count DLQ messages: %w", err)
	}
	return counts, nil
}

// Find streams the messages matching q.
func (d *DLQ) Find(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) (*mongo.Cursor, error) {
	cur, err := d.c.Find(ctx, q, opts)
	return cur, Wrap(err)
}

// Count counts the messages matching q; an empty q is the collection's
// estimated count, which needs no scan.
func (d *DLQ) Count(ctx context.Context, q bson.D) (int64, error) {
	var n int64
	var err error
	if len(q) == 0 {
		n, err = d.c.EstimatedDocumentCount(ctx)
	} else {
		n, err = d.c.CountDocuments(ctx, q)
	}
	if err != nil {
		return 0, fmt.Errorf("count DLQ messages: %w", Wrap(err))
	}
	return n, nil
}

// InsertUnordered stores new messages in one round trip; Dup[i] means a
// message with docs[i]'s event.event_id is stored already (the unique index
// makes the insert the idempotent upsert of ingestion).
func (d *DLQ) InsertUnordered(ctx context.Context, docs []any) (InsertResult, error) {
	res, err := insertUnordered(ctx, d.c, docs)
	if err != nil {
		return res, fmt.Errorf("store DLQ messages: %w", err)
	}
	return res, nil
}

// updateChunk keeps each update statement short on the embedded server,
// where every updated document costs a scan and holds SQLite's lock.
const updateChunk = 500

// UpdateByEventIDs applies one update to the messages with these event ids
// that also match where (nil = no further condition). WithRetry may send
// the update again after a lost reply, so update must be idempotent: $set
// values computed from what where guards, never $inc.
func (d *DLQ) UpdateByEventIDs(ctx context.Context, ids []string, where, update bson.D) error {
	for start := 0; start < len(ids); start += updateChunk {
		part := ids[start:min(start+updateChunk, len(ids))]
		filter := append(bson.D{{Key: "event.event_id", Value: bson.D{{Key: "$in", Value: part}}}}, where...)
		err := WithRetry(ctx, func(ctx context.Context) error {
			_, err := d.c.UpdateMany(ctx, filter, update)
			return err
		})
		if err != nil {
			return fmt.Errorf("update %d DLQ messages: %w", len(part), Wrap(err))
		}
	}
	return nil
}

// UpdateOne applies update to the message matching filter and reports
// whether one matched.
func (d *DLQ) UpdateOne(ctx context.Context, filter, update bson.D) (bool, error) {
	matched, err := updateOne(ctx, d.c, filter, update)
	if err != nil {
		return false, fmt.Errorf("update DLQ message: %w", Wrap(err))
	}
	return matched, nil
}

// DLQTTL is the platform's retention of DLQ messages (TTL on created_at).
const DLQTTL = 7 * 24 * time.Hour

// EnsureIndexes creates the contract's dlq_messages indexes; the unique
// event.event_id makes ingestion an idempotent insert. Indexes the platform
// made under other names are accepted. The created_at TTL index is skipped
// where the server lacks TTL support (noTTL gets why).
func (d *DLQ) EnsureIndexes(ctx context.Context, noTTL func(error)) error {
	models := []mongo.IndexModel{
		{Keys: bson.D{{Key: "event.event_id", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "event.event_type", Value: 1}}},
		{Keys: bson.D{{Key: "original_topic", Value: 1}}},
		{Keys: bson.D{{Key: "status", Value: 1}}},
		{Keys: bson.D{{Key: "failed_at", Value: 1}}},
	}
	for _, model := range models {
		if err := createIndexTolerant(ctx, d.c, model); err != nil {
			return err
		}
	}
	ttl := mongo.IndexModel{
		Keys:    bson.D{{Key: "created_at", Value: 1}},
		Options: options.Index().SetExpireAfterSeconds(int32(DLQTTL / time.Second)),
	}
	if _, err := d.c.Indexes().CreateOne(ctx, ttl); err != nil && noTTL != nil {
		noTTL(err)
	}
	return d.checkUniqueEventID(ctx)
}

// createIndexTolerant creates one index, accepting the same keys indexed
// already under another name or options (codes 85/86).
func createIndexTolerant(ctx context.Context, c *mongo.Collection, model mongo.IndexModel) error {
	_, err := c.Indexes().CreateOne(ctx, model)
	var se mongo.ServerError
	if err != nil && errors.As(err, &se) && (se.HasErrorCode(85) || se.HasErrorCode(86)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create index on %s: %w", c.Name(), Wrap(err))
	}
	return nil
}

// checkUniqueEventID refuses to go on without the unique index: without it
// a re-delivered record would be stored twice.
func (d *DLQ) checkUniqueEventID(ctx context.Context) error {
	cur, err := d.c.Indexes().List(ctx)
	if err != nil {
		return fmt.Errorf("list %s indexes: %w", d.c.Name(), Wrap(err))
	}
	var idx []struct {
		Key    bson.D `bson:"key"`
		Unique bool   `bson:"unique"`
	}
	if err := cur.All(ctx, &idx); err != nil {
		return fmt.Errorf("list %s indexes: %w", d.c.Name(), Wrap(err))
	}
	for _, ix := range idx {
		if ix.Unique && len(ix.Key) == 1 && ix.Key[0].Key == "event.event_id" {
			return nil
		}
	}
	return fmt.Errorf("%s has an index on event.event_id that is not unique; the contract requires a unique one (drop it so replayctl can create it)", d.c.Name())
}
