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

// replayctl's own DLQ collections; the platform never reads them.
const (
	// DLQInvalidCollection quarantines DLQ topic records that cannot be
	// messages.
	DLQInvalidCollection = "dlq_invalid"
	// DLQClaimsCollection holds the claims (leases) on retry rounds and on
	// stored messages taking a new failure.
	DLQClaimsCollection = "dlq_claims"
	// DLQPoliciesCollection holds per-topic retry policy overrides
	// (_id = topic).
	DLQPoliciesCollection = "dlq_retry_policies"
	// DLQPendingSendsCollection journals immediate retries made on receipt
	// between storing the message as retried and the send's
	// acknowledgement.
	DLQPendingSendsCollection = "dlq_pending_sends"
)

func inIDs[T any](ids []T) bson.D {
	return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
}

// DLQClaim is a lease on one retry round of one DLQ message (see package
// dlq). Claims are only ever inserted and deleted, never updated: the
// unique _id makes the insert the only coordination primitive.
type DLQClaim struct {
	ID        string    `bson:"_id"`
	Key       string    `bson:"key"`
	EventID   string    `bson:"event_id"`
	Round     int64     `bson:"round"`
	Epoch     int       `bson:"epoch"`
	Owner     string    `bson:"owner"`
	Token     string    `bson:"token"`
	Purpose   string    `bson:"purpose"`
	ClaimedAt time.Time `bson:"claimed_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// DLQClaims is the `dlq_claims` collection: small, insert and delete only.
type DLQClaims struct{ c *mongo.Collection }

// DLQClaims returns the claim repository of this database.
func (s *Store) DLQClaims() *DLQClaims { return &DLQClaims{c: s.Coordination(DLQClaimsCollection)} }

// Collection exposes the collection for tests.
func (r *DLQClaims) Collection() *mongo.Collection { return r.c }

// Insert tries to take every claim in one unordered insert; Dup[i] means
// someone holds claims[i]'s _id already.
func (r *DLQClaims) Insert(ctx context.Context, claims []DLQClaim) (InsertResult, error) {
	docs := make([]any, len(claims))
	for i := range claims {
		docs[i] = claims[i]
	}
	res, err := insertUnordered(ctx, r.c, docs)
	if err != nil {
		return res, fmt.Errorf("claim DLQ messages: %w", err)
	}
	return res, nil
}

// ByKeys returns every claim (every epoch) on the given keys, decoded one
// by one. A claim document that cannot be read is returned in skipped: the
// query also matches _id = key, so one whose key field is unreadable too is
// still seen at epoch 0 (package dlq takes it for an expired claim).
func (r *DLQClaims) ByKeys(ctx context.Context, keys []string) ([]DLQClaim, []Skipped, error) {
	var (
		out     []DLQClaim
		skipped []Skipped
	)
	q := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "key", Value: bson.D{{Key: "$in", Value: keys}}}},
		inIDs(keys),
	}}}
	err := WithRetry(ctx, func(ctx context.Context) error {
		cur, err := r.c.Find(ctx, q)
		if err != nil {
			return err
		}
		out, skipped, err = DecodeEach[DLQClaim](ctx, cur, DLQClaimsCollection, nil)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read DLQ claims: %w", Wrap(err))
	}
	return out, skipped, nil
}

// Delete removes claims by _id; one already gone is not an error.
func (r *DLQClaims) Delete(ctx context.Context, ids []string) (int64, error) {
	n, err := deleteIDs(ctx, r.c, ids)
	if err != nil {
		return n, fmt.Errorf("release DLQ claims: %w", err)
	}
	return n, nil
}

// NthExpiry returns the expires_at of the (n+1)-th oldest claim whose
// lease ended before t, and false when n or fewer did: deleting below it
// removes at most n, which keeps one delete under the embedded server's
// limit per statement.
func (r *DLQClaims) NthExpiry(ctx context.Context, t time.Time, n int64) (time.Time, bool, error) {
	var row struct {
		ExpiresAt time.Time `bson:"expires_at"`
	}
	err := WithRetry(ctx, func(ctx context.Context) error {
		return r.c.FindOne(ctx, expiredBefore(t), options.FindOne().
			SetSort(bson.D{{Key: "expires_at", Value: 1}}).SetSkip(n).
			SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "expires_at", Value: 1}})).Decode(&row)
	})
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("find expired DLQ claims: %w", Wrap(err))
	}
	return row.ExpiresAt, true, nil
}

// DeleteExpiredBefore deletes every claim whose lease ended before t, by
// that filter rather than by a list of ids: a $in of thousands of ids costs
// the embedded server a comparison per id per document.
func (r *DLQClaims) DeleteExpiredBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := WithRetry(ctx, func(ctx context.Context) error {
		res, err := r.c.DeleteMany(ctx, expiredBefore(t))
		if err == nil {
			n = res.DeletedCount
		}
		return err
	})
	if err != nil {
		return n, fmt.Errorf("delete expired DLQ claims: %w", Wrap(err))
	}
	return n, nil
}

func expiredBefore(t time.Time) bson.D {
	return bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: t}}}}
}

// EnsureIndexes creates the lookup index and the one cleanup filters and
// sorts on, if they are missing; uniqueness comes from _id.
func (r *DLQClaims) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, r.c, []IndexSpec{
		{Keys: bson.D{{Key: "key", Value: 1}}},
		{Keys: bson.D{{Key: "expires_at", Value: 1}}},
	})
}

// DLQPendingSend journals an immediate retry between storing its message
// as retried and the send's acknowledgement (_id = the claim's _id).
type DLQPendingSend struct {
	ID        string    `bson:"_id"`
	EventID   string    `bson:"event_id"`
	Round     int64     `bson:"round"`
	Topic     string    `bson:"topic"`
	Owner     string    `bson:"owner"`
	CreatedAt time.Time `bson:"created_at"`
}

// DLQPendingSends is the `dlq_pending_sends` journal: a handful of entries
// per batch in flight.
type DLQPendingSends struct{ c *mongo.Collection }

// DLQPendingSends returns the journal repository of this database.
func (s *Store) DLQPendingSends() *DLQPendingSends {
	return &DLQPendingSends{c: s.Coordination(DLQPendingSendsCollection)}
}

// Collection exposes the collection for tests.
func (r *DLQPendingSends) Collection() *mongo.Collection { return r.c }

// Insert journals the sends.
func (r *DLQPendingSends) Insert(ctx context.Context, sends []DLQPendingSend) error {
	docs := make([]any, len(sends))
	for i := range sends {
		docs[i] = sends[i]
	}
	if _, err := insertUnordered(ctx, r.c, docs); err != nil {
		return fmt.Errorf("journal immediate retries: %w", err)
	}
	return nil
}

// CreatedBefore returns the entries journalled before t, decoded one by
// one; an entry that cannot be read is returned in skipped.
func (r *DLQPendingSends) CreatedBefore(ctx context.Context, t time.Time) ([]DLQPendingSend, []Skipped, error) {
	cur, err := r.c.Find(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: t}}}})
	if err != nil {
		return nil, nil, fmt.Errorf("read immediate retry journal: %w", Wrap(err))
	}
	out, skipped, err := DecodeEach[DLQPendingSend](ctx, cur, DLQPendingSendsCollection, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("read immediate retry journal: %w", err)
	}
	return out, skipped, nil
}

// Delete clears entries by _id.
func (r *DLQPendingSends) Delete(ctx context.Context, ids []string) error {
	if _, err := deleteIDs(ctx, r.c, ids); err != nil {
		return fmt.Errorf("clear immediate retry journal: %w", err)
	}
	return nil
}

// DLQPolicies is `dlq_retry_policies`: one small document per topic
// override (_id = the full topic name). The document's shape belongs to
// package dlq, so it goes in and out as BSON.
type DLQPolicies struct{ c *mongo.Collection }

// DLQPolicies returns the policy override repository of this database.
func (s *Store) DLQPolicies() *DLQPolicies {
	return &DLQPolicies{c: s.Coordination(DLQPoliciesCollection)}
}

// Get returns the override for topic, or nil when there is none.
func (r *DLQPolicies) Get(ctx context.Context, topic string) (bson.Raw, error) {
	raw, err := r.c.FindOne(ctx, bson.D{{Key: "_id", Value: topic}}).Raw()
	if err == mongo.ErrNoDocuments {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load retry policy for %s: %w", topic, Wrap(err))
	}
	return raw, nil
}

// Find streams every override document, for the caller to decode one by
// one (the shape belongs to package dlq).
func (r *DLQPolicies) Find(ctx context.Context) (*mongo.Cursor, error) {
	cur, err := r.c.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list retry policy overrides: %w", Wrap(err))
	}
	return cur, nil
}

// Put stores doc as the override for topic, replacing any.
func (r *DLQPolicies) Put(ctx context.Context, topic string, doc any) error {
	err := WithRetry(ctx, func(ctx context.Context) error {
		_, err := r.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: topic}}, doc, options.Replace().SetUpsert(true))
		return err
	})
	if err != nil {
		return fmt.Errorf("save retry policy for %s: %w", topic, Wrap(err))
	}
	return nil
}

// Delete removes the override for topic and reports whether there was one.
func (r *DLQPolicies) Delete(ctx context.Context, topic string) (bool, error) {
	var res *mongo.DeleteResult
	err := WithRetry(ctx, func(ctx context.Context) error {
		var err error
		res, err = r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: topic}})
		return err
	})
	if err != nil {
		return false, fmt.Errorf("remove retry policy for %s: %w", topic, Wrap(err))
	}
	return res.DeletedCount > 0, nil
}

// DLQInvalid is `dlq_invalid`, the quarantine of DLQ topic records that
// cannot be messages; unique by (topic, partition, offset), so a record read
// again is not quarantined twice.
type DLQInvalid struct{ c *mongo.Collection }

// DLQInvalid returns the quarantine repository of this database.
func (s *Store) DLQInvalid() *DLQInvalid {
	return &DLQInvalid{c: s.db.Collection(DLQInvalidCollection)}
}

// Insert quarantines records; Dups counts those already there.
func (r *DLQInvalid) Insert(ctx context.Context, docs []any) (InsertResult, error) {
	res, err := insertUnordered(ctx, r.c, docs)
	if err != nil {
		return res, fmt.Errorf("quarantine DLQ records: %w", err)
	}
	return res, nil
}

// Find streams quarantined records matching q.
func (r *DLQInvalid) Find(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) (*mongo.Cursor, error) {
	cur, err := r.c.Find(ctx, q, opts)
	return cur, Wrap(err)
}

// Count counts quarantined records.
func (r *DLQInvalid) Count(ctx context.Context) (int64, error) {
	n, err := r.c.CountDocuments(ctx, bson.D{})
	return n, Wrap(err)
}

// EnsureIndexes creates the unique (topic, partition, offset) index if it
// is missing. It is optional: without it a record read again is
// quarantined twice, which costs a duplicate, not a wrong retry.
func (r *DLQInvalid) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, r.c, []IndexSpec{{
		Keys:   bson.D{{Key: "topic", Value: 1}, {Key: "partition", Value: 1}, {Key: "offset", Value: 1}},
		Unique: true,
	}})
}
