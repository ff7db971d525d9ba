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

// Events is the platform's event store. replayctl only reads it (and the
// embedded stack's seeder writes it).
type Events struct {
	c *mongo.Collection
}

// Collection exposes the collection for benchmarks and seeding.
func (e *Events) Collection() *mongo.Collection { return e.c }

// FilterQuery translates the contract's filter semantics into a MongoDB query.
func FilterQuery(f contract.Filter) bson.D {
	q := bson.D{}
	if len(f.EventIDs) > 0 {
		q = append(q, bson.E{Key: "event_id", Value: bson.D{{Key: "$in", Value: f.EventIDs}}})
	}
	if f.ExecutionID != nil {
		q = append(q, bson.E{Key: "execution_id", Value: *f.ExecutionID})
	}
	if f.AggregateID != nil {
		q = append(q, bson.E{Key: "aggregate_id", Value: *f.AggregateID})
	}
	types := bson.D{}
	if len(f.EventTypes) > 0 {
		types = append(types, bson.E{Key: "$in", Value: f.EventTypes})
	}
	if len(f.ExcludeEventTypes) > 0 {
		types = append(types, bson.E{Key: "$nin", Value: f.ExcludeEventTypes})
	}
	if len(types) > 0 {
		q = append(q, bson.E{Key: "event_type", Value: types})
	}
	ts := bson.D{}
	if f.StartTime != nil {
		ts = append(ts, bson.E{Key: "$gte", Value: *f.StartTime})
	}
	if f.EndTime != nil {
		ts = append(ts, bson.E{Key: "$lte", Value: *f.EndTime})
	}
	if len(ts) > 0 {
		q = append(q, bson.E{Key: "timestamp", Value: ts})
	}
	if f.UserID != nil {
		q = append(q, bson.E{Key: "metadata.user_id", Value: *f.UserID})
	}
	if f.ServiceName != nil {
		q = append(q, bson.E{Key: "metadata.service_name", Value: *f.ServiceName})
	}
	return q
}

// AfterCheckpoint narrows q to events strictly after cp in (timestamp, _id)
// order, so a resumed replay issues one query from its checkpoint.
func AfterCheckpoint(q bson.D, cp *contract.Checkpoint) (bson.D, error) {
	if cp == nil || cp.HeadOnly() {
		return q, nil // a head-only checkpoint resumes by skipping (Stream)
	}
	oid, err := bson.ObjectIDFromHex(cp.ObjectID)
	if err != nil {
		return nil, fmt.Errorf("checkpoint object id %q: %w", cp.ObjectID, err)
	}
	after := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "timestamp", Value: bson.D{{Key: "$gt", Value: cp.Timestamp}}}},
		bson.D{{Key: "timestamp", Value: cp.Timestamp}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: oid}}}},
	}}}
	if len(q) == 0 {
		return after, nil
	}
	return bson.D{{Key: "$and", Value: bson.A{q, after}}}, nil
}

// ReplayOrder is the contract's replay order: ascending timestamp, ties by _id.
var ReplayOrder = bson.D{{Key: "timestamp", Value: 1}, {Key: "_id", Value: 1}}

// Stream opens one long server-side cursor over the matching events in replay
// order (EMBEDDED.md: one cursor, never keyset pages).
// bound is the session's cap on its selection (BoundedQuery).
func (e *Events) Stream(ctx context.Context, f contract.Filter, bound Bound, after *contract.Checkpoint, batchSize int32) (*mongo.Cursor, error) {
	q, err := AfterCheckpoint(BoundedQuery(f, bound), after)
	if err != nil {
		return nil, err
	}
	if batchSize <= 0 {
		batchSize = 1000
	}
	// Without an index on the order (RecommendedEventsIndex) MongoDB sorts
	// every matching event first; past 100 MB that fails with error 292
	// unless the sort may spill to disk.
	opts := options.Find().SetSort(ReplayOrder).SetBatchSize(batchSize).SetAllowDiskUse(true)
	if after.HeadOnly() {
		// Every document before the first date sorts ahead of it, so the
		// skipped head is exactly the first Head documents of this order.
		opts.SetSkip(after.Head)
	}
	cur, err := e.c.Find(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", Wrap(err))
	}
	return cur, nil
}

// Count returns how many events match f; an empty filter is answered from
// the collection's statistics rather than by a scan.
func (e *Events) Count(ctx context.Context, f contract.Filter) (int64, error) {
	q := FilterQuery(f)
	var (
		n   int64
		err error
	)
	if len(q) == 0 {
		n, err = collectionTotal(ctx, e.c)
	} else {
		n, err = e.c.CountDocuments(ctx, q)
	}
	if err != nil {
		return 0, fmt.Errorf("count events: %w", Wrap(err))
	}
	return n, nil
}

// CountBounded counts the events f selects under a session's bound: the
// selection a run reads. Without a bound it is Count.
func (e *Events) CountBounded(ctx context.Context, f contract.Filter, bound Bound) (int64, error) {
	if bound.IsZero() {
		return e.Count(ctx, f)
	}
	n, err := e.c.CountDocuments(ctx, BoundedQuery(f, bound))
	if err != nil {
		return 0, fmt.Errorf("count events: %w", Wrap(err))
	}
	return n, nil
}

// TypeCount is the number of matching events of one type.
type TypeCount struct {
	EventType string `bson:"_id"`
	Count     int64  `bson:"count"`
}

// CountByType groups matching events by type; $group with $sum works on both
// MongoDB and the embedded server.
func (e *Events) CountByType(ctx context.Context, f contract.Filter) ([]TypeCount, error) {
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: FilterQuery(f)}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$event_type"}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		{{Key: "$sort", Value: bson.D{{Key: "count", Value: -1}, {Key: "_id", Value: 1}}}},
	}
	// $group over every matching event can pass MongoDB's 100 MB stage limit.
	cur, err := e.c.Aggregate(ctx, pipeline, options.Aggregate().SetAllowDiskUse(true))
	if err != nil {
		return nil, fmt.Errorf("count events by type: %w", Wrap(err))
	}
	// _id is whatever event_type holds: a document other software wrote may
	// have a number there, or nothing.
	var rows []struct {
		ID    any   `bson:"_id"`
		Count int64 `bson:"count"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count events by type: %w", Wrap(err))
	}
	out := make([]TypeCount, len(rows))
	for i, r := range rows {
		out[i] = TypeCount{EventType: typeKey(r.ID), Count: r.Count}
	}
	return out, nil
}

func typeKey(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "(missing)"
	default:
		return fmt.Sprintf("(%v)", v)
	}
}

// TimeBounds returns the first and last matching timestamps. It sorts with a
// limit instead of $min/$max, which the embedded server lacks.
func (e *Events) TimeBounds(ctx context.Context, f contract.Filter) (first, last time.Time, err error) {
	q := FilterQuery(f)
	if first, err = e.edge(ctx, q, 1); err != nil {
		return
	}
	last, err = e.edge(ctx, q, -1)
	return
}

func (e *Events) edge(ctx context.Context, q bson.D, dir int) (time.Time, error) {
	var doc struct {
		Timestamp time.Time `bson:"timestamp"`
	}
	// A sort with limit 1 keeps one document in memory, so it needs no
	// allowDiskUse (FindOne has none). Only dates: other types sort before
	// (or after) every date, so one
	// foreign document would otherwise be the edge, or fail to decode.
	dated := bson.D{{Key: "timestamp", Value: bson.D{{Key: "$type", Value: "date"}}}}
	if len(q) > 0 {
		dated = bson.D{{Key: "$and", Value: bson.A{q, dated}}}
	}
	opts := options.FindOne().SetSort(bson.D{{Key: "timestamp", Value: dir}}).
		SetProjection(bson.D{{Key: "timestamp", Value: 1}})
	err := e.c.FindOne(ctx, dated, opts).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read event time bounds: %w", Wrap(err))
	}
	return doc.Timestamp.UTC(), nil
}

// Sample returns the first n matching events in replay order.
func (e *Events) Sample(ctx context.Context, f contract.Filter, n int64) ([]bson.Raw, error) {
	if n <= 0 {
		return nil, nil
	}
	cur, err := e.c.Find(ctx, FilterQuery(f), options.Find().SetSort(ReplayOrder).SetLimit(n).SetAllowDiskUse(true))
	if err != nil {
		return nil, fmt.Errorf("sample events: %w", Wrap(err))
	}
	defer cur.Close(ctx)
	var out []bson.Raw
	for cur.Next(ctx) {
		out = append(out, append(bson.Raw(nil), cur.Current...))
	}
	return out, Wrap(cur.Err())
}
