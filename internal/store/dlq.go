package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
)

// DLQ is the `dlq_messages` collection, shared with the platform.
type DLQ struct {
	c *mongo.Collection
}

// Collection exposes the collection for tests and benchmarks (seeding).
func (d *DLQ) Collection() *mongo.Collection { return d.c }

// Name is the collection's name.
func (d *DLQ) Name() string { return d.c.Name() }

// CountByStatus counts DLQ messages per status, one indexed count per
// status (see countPerStatus).
func (d *DLQ) CountByStatus(ctx context.Context) (map[string]int64, error) {
	known := make([]string, len(contract.DLQStatuses))
	for i, st := range contract.DLQStatuses {
		known[i] = string(st)
	}
	return countPerStatus(ctx, d.c, known)
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

// DLQIndexes are the dlq_messages indexes replayctl relies on. Only the
// unique event.event_id is required: it makes ingestion an idempotent
// insert, and without it a re-delivered record would be stored twice. The
// others serve listing, filtering and counting by status; created_at is the
// platform's TTL.
var DLQIndexes = []IndexSpec{
	{Keys: bson.D{{Key: "event.event_id", Value: 1}}, Unique: true, Required: true},
	{Keys: bson.D{{Key: "event.event_type", Value: 1}}},
	{Keys: bson.D{{Key: "original_topic", Value: 1}}},
	{Keys: bson.D{{Key: "status", Value: 1}}},
	{Keys: bson.D{{Key: "failed_at", Value: 1}}},
	{Keys: bson.D{{Key: "created_at", Value: 1}}, TTL: DLQTTL},
}

// EnsureIndexes makes sure dlq_messages has DLQIndexes, creating only the
// missing ones. A missing required index that cannot be made is an error;
// optional ones that cannot be made come back as *IndexesNotCreatedError
// (on the embedded server, the TTL index always does).
func (d *DLQ) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, d.c, DLQIndexes)
}
