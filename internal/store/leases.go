package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
)

// Coordination collections are replayctl's own; the platform never reads them.
const (
	LeasesCollection   = "replay_leases"
	RequestsCollection = "replay_requests"
)

// LeaseDoc is one claim on a replay session. Its _id is session_id:epoch, so
// two processes inserting the same epoch get exactly one winner on MongoDB
// and on the embedded server alike (EMBEDDED.md: inserts are the only atomic
// primitive there). Only the inserter ever updates its own claim.
type LeaseDoc struct {
	ID         string     `bson:"_id"`
	SessionID  string     `bson:"session_id"`
	Epoch      int64      `bson:"epoch"`
	Owner      string     `bson:"owner"`
	Purpose    string     `bson:"purpose"` // "run" or "control"
	AcquiredAt time.Time  `bson:"acquired_at"`
	RenewedAt  time.Time  `bson:"renewed_at"`
	ExpiresAt  time.Time  `bson:"expires_at"`
	Released   bool       `bson:"released"`
	ReleasedAt *time.Time `bson:"released_at"`
	// Token is random per attempt to claim: it tells our own insert, whose
	// reply was lost and which a retry then finds, from another holder's.
	Token string `bson:"token,omitempty"`
}

// LeaseID is the unique key of a session's claim for one epoch.
func LeaseID(sessionID string, epoch int64) string {
	return sessionID + ":" + strconv.FormatInt(epoch, 10)
}

// Leases is the `replay_leases` collection: small, write-hot, one document
// per claim.
type Leases struct {
	c *mongo.Collection
}

// Leases returns the lease repository of this database.
func (s *Store) Leases() *Leases {
	return &Leases{c: s.Coordination(LeasesCollection)}
}

// Collection exposes the collection for tests.
func (l *Leases) Collection() *mongo.Collection { return l.c }

// Insert tries to take a claim. A duplicate-key error (IsDuplicateKey) means
// another process took this epoch first. The insert is retried after a
// network error, and the first attempt may have committed with its reply
// lost: a duplicate whose stored token is d.Token is that insert, our own.
func (l *Leases) Insert(ctx context.Context, d *LeaseDoc) error {
	d.ID = LeaseID(d.SessionID, d.Epoch)
	err := WithRetry(ctx, func(ctx context.Context) error {
		_, err := l.c.InsertOne(ctx, d)
		return err
	})
	if err != nil && IsDuplicateKey(err) && d.Token != "" {
		if ours, rerr := l.hasToken(ctx, d.ID, d.Token); rerr != nil {
			return fmt.Errorf("claim session %s epoch %d: %w", d.SessionID, d.Epoch, rerr)
		} else if ours {
			return nil
		}
	}
	if err != nil {
		if IsDuplicateKey(err) {
			return err
		}
		return fmt.Errorf("claim session %s epoch %d: %w", d.SessionID, d.Epoch, Wrap(err))
	}
	return nil
}

// hasToken reports whether the claim id carries token.
func (l *Leases) hasToken(ctx context.Context, id, token string) (bool, error) {
	var got struct {
		Token string `bson:"token"`
	}
	err := WithRetry(ctx, func(ctx context.Context) error {
		return l.c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&got)
	})
	if err == mongo.ErrNoDocuments {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read claim %s: %w", id, Wrap(err))
	}
	return got.Token == token, nil
}

// Latest returns the session's claim with the highest epoch, or nil. A
// claim document that does not decode is passed over: a junk document in
// this collection must not stop every runner of the session.
func (l *Leases) Latest(ctx context.Context, sessionID string) (*LeaseDoc, error) {
	opts := options.Find().SetSort(bson.D{{Key: "epoch", Value: -1}})
	cur, err := l.c.Find(ctx, bson.D{{Key: "session_id", Value: sessionID}}, opts)
	if err != nil {
		return nil, fmt.Errorf("read lease of session %s: %w", sessionID, Wrap(err))
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if d, err := decodeOne[LeaseDoc](cur.Current, nil); err == nil {
			return &d, nil
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("read lease of session %s: %w", sessionID, Wrap(err))
	}
	return nil, nil
}

// Renew moves the expiry of the caller's own claim while it is unreleased
// and unexpired at now. It reports false otherwise (expired, released, or
// deleted by cleanup): a taker may claim the next epoch once this one has
// expired, so an expired claim is never revived.
func (l *Leases) Renew(ctx context.Context, id string, now, expires time.Time) (bool, error) {
	q := bson.D{
		{Key: "_id", Value: id}, {Key: "released", Value: false},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}},
	}
	set := bson.D{{Key: "renewed_at", Value: now}, {Key: "expires_at", Value: expires}}
	matched, err := updateOne(ctx, l.c, q, setDoc(set))
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", id, Wrap(err))
	}
	return matched, nil
}

// Release marks the caller's own claim as given up, so the next claimant
// need not wait for it to expire.
func (l *Leases) Release(ctx context.Context, id string, now time.Time) (bool, error) {
	return l.set(ctx, id, bson.D{{Key: "released", Value: true}, {Key: "released_at", Value: now}})
}

func (l *Leases) set(ctx context.Context, id string, set bson.D) (bool, error) {
	matched, err := updateOne(ctx, l.c, bson.D{{Key: "_id", Value: id}}, setDoc(set))
	if err != nil {
		return false, fmt.Errorf("update lease %s: %w", id, Wrap(err))
	}
	return matched, nil
}

// Live returns the unreleased claims that have not expired at now: at most
// a few documents per running session. A claim that cannot be read holds
// no session (replayctl never wrote it) and is returned in skipped.
func (l *Leases) Live(ctx context.Context, now time.Time) ([]LeaseDoc, []Skipped, error) {
	q := bson.D{{Key: "released", Value: false}, {Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}}}
	cur, err := l.c.Find(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("list live leases: %w", Wrap(err))
	}
	out, skipped, err := DecodeEach[LeaseDoc](ctx, cur, l.c.Name(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("list live leases: %w", err)
	}
	return out, skipped, nil
}

// LiveFor returns the unreleased claims unexpired at now, in one query:
// only those of the given ids (every id when ids is nil) and of purpose
// (every purpose when ""), highest epoch first, at most limit (0 = all).
// The dashboard reads its holders this way instead of one Latest per row.
func (l *Leases) LiveFor(ctx context.Context, ids []string, purpose string, now time.Time, limit int64) ([]LeaseDoc, []Skipped, error) {
	q := bson.D{{Key: "released", Value: false}, {Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}}}
	if ids != nil {
		q = append(q, bson.E{Key: "session_id", Value: bson.D{{Key: "$in", Value: ids}}})
	}
	if purpose != "" {
		q = append(q, bson.E{Key: "purpose", Value: purpose})
	}
	opts := options.Find().SetSort(bson.D{{Key: "epoch", Value: -1}, {Key: "_id", Value: 1}})
	if limit > 0 {
		opts.SetLimit(limit)
	}
	cur, err := l.c.Find(ctx, q, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("list live leases in %s: %w", l.c.Name(), Wrap(err))
	}
	out, skipped, err := DecodeEach[LeaseDoc](ctx, cur, l.c.Name(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("list live leases in %s: %w", l.c.Name(), err)
	}
	return out, skipped, nil
}

// DeleteSessions removes every claim of the given sessions (cleanup).
func (l *Leases) DeleteSessions(ctx context.Context, sessionIDs []string) error {
	return deleteBySession(ctx, l.c, sessionIDs)
}

// EnsureIndexes creates the lookup index if it is missing; uniqueness
// comes from _id.
func (l *Leases) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, l.c, []IndexSpec{{Keys: bson.D{{Key: "session_id", Value: 1}, {Key: "epoch", Value: -1}}}})
}

func deleteBySession(ctx context.Context, c *mongo.Collection, ids []string) error {
	for start := 0; start < len(ids); start += deleteChunk {
		end := min(start+deleteChunk, len(ids))
		q := bson.D{{Key: "session_id", Value: bson.D{{Key: "$in", Value: ids[start:end]}}}}
		if _, err := c.DeleteMany(ctx, q); err != nil {
			return fmt.Errorf("delete from %s: %w", c.Name(), Wrap(err))
		}
	}
	return nil
}

// UpdateIfStatus applies $set to a session only while it still has status
// want, and reports whether it matched. It lives beside the leases because
// only a lease holder may call it: on MongoDB the status condition is atomic,
// on the embedded server it is a best-effort guard and the lease is what
// keeps writers apart.
func (s *Sessions) UpdateIfStatus(ctx context.Context, id string, want contract.SessionStatus, set bson.D) (bool, error) {
	q := bson.D{{Key: "session_id", Value: id}, {Key: "status", Value: want}}
	matched, err := updateOne(ctx, s.c, q, setDoc(set))
	if err != nil {
		return false, fmt.Errorf("update session %s: %w", id, Wrap(err))
	}
	return matched, nil
}

// EpochField is where a session records the lease epoch of the runner that
// holds it, under replayctl's own sub-document.
const EpochField = "replayctl.epoch"

// UpdateIfHeld applies $set to a session only while it has status want and
// its recorded epoch is the caller's: a runner that lost its claim matches
// nothing and must stop. On MongoDB the condition is atomic; on the
// embedded server it is a best-effort guard (EMBEDDED.md).
func (s *Sessions) UpdateIfHeld(ctx context.Context, id string, want contract.SessionStatus, epoch int64, set bson.D) (bool, error) {
	q := bson.D{{Key: "session_id", Value: id}, {Key: "status", Value: want}, {Key: EpochField, Value: epoch}}
	matched, err := updateOne(ctx, s.c, q, setDoc(set))
	if err != nil {
		return false, fmt.Errorf("update session %s: %w", id, Wrap(err))
	}
	return matched, nil
}

// TakeOver records epoch as the session's holder, provided the session is
// running and its recorded epoch is older or absent (older replayctl did
// not record one). It reports false when a later holder wrote first.
func (s *Sessions) TakeOver(ctx context.Context, id string, epoch int64, set bson.D) (bool, error) {
	q := bson.D{
		{Key: "session_id", Value: id}, {Key: "status", Value: contract.StatusRunning},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: EpochField, Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: EpochField, Value: bson.D{{Key: "$lt", Value: epoch}}}},
		}},
	}
	set = append(bson.D{{Key: EpochField, Value: epoch}}, set...)
	matched, err := updateOne(ctx, s.c, q, setDoc(set))
	if err != nil {
		return false, fmt.Errorf("update session %s: %w", id, Wrap(err))
	}
	return matched, nil
}

// GetRaw loads one session document as stored, for fields the contract
// types do not carry.
func (s *Sessions) GetRaw(ctx context.Context, id string) (bson.Raw, error) {
	raw, err := s.c.FindOne(ctx, bson.D{{Key: "session_id", Value: id}}).Raw()
	if err == mongo.ErrNoDocuments {
		return nil, notFound("replay session", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load session %s: %w", id, Wrap(err))
	}
	return raw, nil
}
