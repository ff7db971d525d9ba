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

// Bound is a session's cap on its selection, recorded at its first start
// (contract.Provenance): StoredBefore on _id, or for sessions recorded
// before it, Timestamp on the event time. The zero Bound caps nothing.
type Bound struct {
	StoredBefore *bson.ObjectID
	Timestamp    *time.Time
}

// IsZero reports whether b caps nothing.
func (b Bound) IsZero() bool { return b.StoredBefore == nil && b.Timestamp == nil }

// BoundedQuery is f's query capped at a session's bound. The cap is
// written {$not: {$gt: bound}} rather than $lte so that documents whose
// field has another type are still read (and skipped as malformed, and
// counted) exactly as without a bound: $gt compares only values of the
// bound's own BSON type, so an _id that is not an ObjectID, or a timestamp
// that is not a date, never matches it. A head-only checkpoint resumes by
// skipping that many of them. A timestamp bound no earlier than the
// filter's own end_time needs no cap.
func BoundedQuery(f contract.Filter, b Bound) bson.D {
	q := FilterQuery(f)
	var capped bson.D
	switch {
	case b.StoredBefore != nil:
		capped = bson.D{{Key: "_id", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: *b.StoredBefore}}}}}}
	case b.Timestamp != nil && (f.EndTime == nil || f.EndTime.After(*b.Timestamp)):
		capped = bson.D{{Key: "timestamp", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: *b.Timestamp}}}}}}
	default:
		return q
	}
	if len(q) == 0 {
		return capped
	}
	return bson.D{{Key: "$and", Value: bson.A{q, capped}}}
}

// StreamSelection opens one cursor over the events f selects in replay
// order, with only the fields that decide whether and where a run replays
// an event (_id, event_id, event_type, timestamp): a verify evaluates the
// run's selection without reading the payloads.
func (e *Events) StreamSelection(ctx context.Context, f contract.Filter, bound Bound, batchSize int32) (*mongo.Cursor, error) {
	proj := bson.D{{Key: "_id", Value: 1}, {Key: "event_id", Value: 1}, {Key: "event_type", Value: 1}, {Key: "timestamp", Value: 1}}
	opts := options.Find().SetSort(ReplayOrder).SetBatchSize(batchSize).SetAllowDiskUse(true).SetProjection(proj)
	cur, err := e.c.Find(ctx, BoundedQuery(f, bound), opts)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", Wrap(err))
	}
	return cur, nil
}

// ByEventIDs loads the events with the given ids (a report's few missing
// ones), without their payloads.
func (e *Events) ByEventIDs(ctx context.Context, ids []string) ([]contract.StoredEvent, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	proj := bson.D{{Key: "_id", Value: 1}, {Key: "event_id", Value: 1}, {Key: "event_type", Value: 1}, {Key: "timestamp", Value: 1}}
	cur, err := e.c.Find(ctx, bson.D{{Key: "event_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find().SetProjection(proj))
	if err != nil {
		return nil, fmt.Errorf("load events by id: %w", Wrap(err))
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	var out []contract.StoredEvent
	for cur.Next(ctx) {
		if ev, perr := contract.ParseStoredEvent(cur.Current); perr == nil {
			ev.Raw = nil
			out = append(out, ev)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("load events by id: %w", Wrap(err))
	}
	return out, nil
}

// StoredEventIDs reports which of ids the event store holds, whatever
// their shape (one query, without payloads).
func (e *Events) StoredEventIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	proj := bson.D{{Key: "_id", Value: 0}, {Key: "event_id", Value: 1}}
	cur, err := e.c.Find(ctx, bson.D{{Key: "event_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find().SetProjection(proj))
	if err != nil {
		return nil, fmt.Errorf("look up event ids: %w", Wrap(err))
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	for cur.Next(ctx) {
		if id, ok := cur.Current.Lookup("event_id").StringValueOK(); ok {
			out[id] = true
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("look up event ids: %w", Wrap(err))
	}
	return out, nil
}

// SetVerification stores a verify's summary in the session. Only `replay
// verify` writes replayctl.verification, and only while the session is
// ended, when no runner holds it: a $set of that single field cannot
// overwrite a runner's fields, so it needs no claim. The filter on a
// terminal status keeps a session resumed since (a failed one retried)
// from being written beside its runner; that is reported as a conflict.
func (s *Sessions) SetVerification(ctx context.Context, id string, v *contract.Verification) error {
	q := bson.D{{Key: "session_id", Value: id}, {Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{contract.StatusCompleted, contract.StatusFailed, contract.StatusCancelled}}}}}
	return WithRetry(ctx, func(ctx context.Context) error {
		res, err := s.c.UpdateOne(ctx, q, setDoc(bson.D{{Key: "replayctl.verification", Value: v}}))
		if err != nil {
			return fmt.Errorf("store the verification of session %s: %w", id, Wrap(err))
		}
		if res.MatchedCount == 0 {
			return fmt.Errorf("store the verification of session %s: it is no longer ended", id)
		}
		return nil
	})
}
