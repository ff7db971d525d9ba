package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// AuditCollection is replayctl's audit trail of operator actions; the
// platform never reads it. The record's shape belongs to package audit, so
// documents go in as any and come out through a cursor.
const AuditCollection = "replayctl_audit"

// AuditIndexes serve the audit queries: newest first overall, and by
// actor, action or target, each newest first.
var AuditIndexes = []IndexSpec{
	{Keys: bson.D{{Key: "at", Value: -1}}},
	{Keys: bson.D{{Key: "actor", Value: 1}, {Key: "at", Value: -1}}},
	{Keys: bson.D{{Key: "action", Value: 1}, {Key: "at", Value: -1}}},
	{Keys: bson.D{{Key: "targets", Value: 1}, {Key: "at", Value: -1}}},
}

// Audit is the `replayctl_audit` collection. A record is inserted once
// (the intent) and updated once by _id (the outcome) by the process that
// inserted it, so no two writers ever race on one document.
type Audit struct{ c *mongo.Collection }

// Audit returns the audit repository of this database, with the
// coordination collections' majority reads and journaled majority writes:
// an intent acknowledged before a change must survive a failover.
func (s *Store) Audit() *Audit { return &Audit{c: s.Coordination(AuditCollection)} }

// Collection exposes the collection for tests.
func (r *Audit) Collection() *mongo.Collection { return r.c }

// Insert writes one record, retrying a busy or briefly unreachable server.
// The record's _id is random, so a duplicate key on a second attempt can
// only be the first attempt's insert, acknowledged too late: it counts as
// written.
func (r *Audit) Insert(ctx context.Context, doc any) error {
	attempt := 0
	err := WithRetry(ctx, func(ctx context.Context) error {
		attempt++
		_, err := r.c.InsertOne(ctx, doc)
		if attempt > 1 && IsDuplicateKey(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("insert into %s: %w", AuditCollection, Wrap(err))
	}
	return nil
}

// Set applies fields to the record with this _id.
func (r *Audit) Set(ctx context.Context, id string, fields bson.D) error {
	err := WithRetry(ctx, func(ctx context.Context) error {
		_, err := r.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: fields}})
		return err
	})
	if err != nil {
		return fmt.Errorf("update %s record %s: %w", AuditCollection, id, Wrap(err))
	}
	return nil
}

// Find streams the records matching q, newest first, at most limit (0 = all).
func (r *Audit) Find(ctx context.Context, q bson.D, limit int64) (*mongo.Cursor, error) {
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(limit)
	}
	var cur *mongo.Cursor
	err := WithRetry(ctx, func(ctx context.Context) error {
		var err error
		cur, err = r.c.Find(ctx, q, opts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", AuditCollection, Wrap(err))
	}
	return cur, nil
}

// Count counts the records matching q.
func (r *Audit) Count(ctx context.Context, q bson.D) (int64, error) {
	var n int64
	err := WithRetry(ctx, func(ctx context.Context) error {
		var err error
		n, err = r.c.CountDocuments(ctx, q)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", AuditCollection, Wrap(err))
	}
	return n, nil
}

// Resolve returns the one record whose _id starts with prefix, raw: a
// not-found error when none does, an ambiguity error listing candidates
// when several do.
func (r *Audit) Resolve(ctx context.Context, prefix string) (bson.Raw, error) {
	q := bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(prefix)}}}}
	var raws []bson.Raw
	err := WithRetry(ctx, func(ctx context.Context) error {
		cur, err := r.c.Find(ctx, q, options.Find().SetLimit(maxCandidates+1))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		raws = raws[:0]
		for cur.Next(ctx) {
			raws = append(raws, append(bson.Raw(nil), cur.Current...))
		}
		return cur.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find audit record %s: %w", prefix, Wrap(err))
	}
	for _, raw := range raws {
		if DocID(raw) == prefix {
			return raw, nil // an exact id wins over longer ids it prefixes
		}
	}
	ids := make([]string, len(raws))
	for i, raw := range raws {
		ids[i] = DocID(raw)
	}
	if err := resolveOne("audit record", prefix, ids); err != nil {
		return nil, err
	}
	return raws[0], nil
}

// DeleteBefore deletes the records whose `at` is before t, in rounds the
// embedded server can take in one statement.
func (r *Audit) DeleteBefore(ctx context.Context, t time.Time) (int64, error) {
	q := bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: t}}}}
	var total int64
	idle := 0
	for {
		ids, err := r.idsBefore(ctx, q)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		n, err := deleteIDs(ctx, r.c, ids)
		total += n
		if err != nil {
			return total, fmt.Errorf("delete from %s: %w", AuditCollection, err)
		}
		// Nothing deleted: another prune took them, and the next read
		// shows what is left. Twice in a row, the server is not deleting.
		if n > 0 {
			idle = 0
		} else {
			idle++
		}
		if idle > 1 {
			return total, errors.New("delete from " + AuditCollection + ": records found but none deleted")
		}
	}
}

func (r *Audit) idsBefore(ctx context.Context, q bson.D) ([]any, error) {
	var ids []any
	err := WithRetry(ctx, func(ctx context.Context) error {
		cur, err := r.c.Find(ctx, q, options.Find().SetLimit(deleteChunk).
			SetProjection(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		ids = ids[:0]
		for cur.Next(ctx) {
			ids = append(ids, cur.Current.Lookup("_id"))
		}
		return cur.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find old records in %s: %w", AuditCollection, Wrap(err))
	}
	return ids, nil
}

// EnsureIndexes creates the missing query indexes. They are optional:
// without them the queries scan.
func (r *Audit) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, r.c, AuditIndexes)
}
