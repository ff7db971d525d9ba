package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// DLQEditsCollection holds, per DLQ message, the event as it was before
// its first edit and one record per edit (see package dlq). The platform
// never reads it, and dlq_messages gains no field for it.
const DLQEditsCollection = "replayctl_dlq_edits"

// Kinds of DLQEdit documents.
const (
	DLQEditOriginal = "original"
	DLQEditRecord   = "edit"
)

// DLQEdit is one document of replayctl_dlq_edits. The original has _id
// "<event id>/original", so the unique _id lets only the first edit write
// it; an edit has an _id of its own, so concurrent edits never overwrite
// each other's records.
type DLQEdit struct {
	ID      string          `bson:"_id"`
	EventID string          `bson:"event_id"`
	Kind    string          `bson:"kind"`
	At      time.Time       `bson:"at"`
	Who     string          `bson:"who,omitempty"`
	Reason  string          `bson:"reason,omitempty"`
	Round   int64           `bson:"round"`
	Event   bson.Raw        `bson:"event,omitempty"`
	Changes []DLQEditChange `bson:"changes,omitempty"`
}

// DLQEditChange is one changed path, with the old and new values as JSON
// text ("" when the path was absent on that side).
type DLQEditChange struct {
	Path string `bson:"path"`
	Old  string `bson:"old,omitempty"`
	New  string `bson:"new,omitempty"`
}

// OriginalEditID is the _id of a message's original-event document.
func OriginalEditID(eventID string) string { return eventID + "/original" }

// DLQEdits is the replayctl_dlq_edits collection: insert-only but for
// undoing an edit record whose message update did not apply.
type DLQEdits struct{ c *mongo.Collection }

// DLQEdits returns the edit repository of this database.
func (s *Store) DLQEdits() *DLQEdits { return &DLQEdits{c: s.Coordination(DLQEditsCollection)} }

// Collection exposes the collection for tests.
func (r *DLQEdits) Collection() *mongo.Collection { return r.c }

// Insert inserts docs; Dup[i] means docs[i]'s _id exists already (for an
// original: an earlier edit kept the true original).
func (r *DLQEdits) Insert(ctx context.Context, docs ...DLQEdit) (InsertResult, error) {
	all := make([]any, len(docs))
	for i := range docs {
		all[i] = docs[i]
	}
	res, err := insertUnordered(ctx, r.c, all)
	if err != nil {
		return res, fmt.Errorf("record DLQ edit: %w", err)
	}
	return res, nil
}

// Delete removes documents by _id.
func (r *DLQEdits) Delete(ctx context.Context, ids ...string) error {
	if _, err := deleteIDs(ctx, r.c, ids); err != nil {
		return fmt.Errorf("undo DLQ edit record: %w", err)
	}
	return nil
}

// ByEventID returns a message's original and edit records, oldest first;
// documents that cannot be read are returned in skipped.
func (r *DLQEdits) ByEventID(ctx context.Context, eventID string) ([]DLQEdit, []Skipped, error) {
	var (
		out     []DLQEdit
		skipped []Skipped
	)
	err := WithRetry(ctx, func(ctx context.Context) error {
		cur, err := r.c.Find(ctx, bson.D{{Key: "event_id", Value: eventID}},
			options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
		if err != nil {
			return err
		}
		out, skipped, err = DecodeEach[DLQEdit](ctx, cur, DLQEditsCollection, nil)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read DLQ edits of %s: %w", eventID, Wrap(err))
	}
	return out, skipped, nil
}

// Edited returns which of eventIDs have at least one edit record, in one
// query (a retry chunk's worth of ids at a time).
func (r *DLQEdits) Edited(ctx context.Context, eventIDs []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(eventIDs) == 0 {
		return out, nil
	}
	q := bson.D{{Key: "kind", Value: DLQEditRecord}, {Key: "event_id", Value: bson.D{{Key: "$in", Value: eventIDs}}}}
	err := WithRetry(ctx, func(ctx context.Context) error {
		clear(out)
		cur, err := r.c.Find(ctx, q, options.Find().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "event_id", Value: 1}}))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			if s, ok := cur.Current.Lookup("event_id").StringValueOK(); ok {
				out[s] = true
			}
		}
		return cur.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("look up DLQ edits: %w", Wrap(err))
	}
	return out, nil
}

// DLQEditIndexes serve the lookups by event id on MongoDB (the embedded
// server scans regardless).
var DLQEditIndexes = []IndexSpec{
	{Keys: bson.D{{Key: "event_id", Value: 1}, {Key: "kind", Value: 1}}},
}

// EnsureIndexes creates DLQEditIndexes where missing.
func (r *DLQEdits) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, r.c, DLQEditIndexes)
}
