package store

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
)

// Sessions is the `replay_sessions` collection, shared with the platform.
type Sessions struct {
	c *mongo.Collection
}

// Collection exposes the collection for tests and benchmarks.
func (s *Sessions) Collection() *mongo.Collection { return s.c }

// Insert stores a new session.
func (s *Sessions) Insert(ctx context.Context, sess *contract.Session) error {
	if _, err := s.c.InsertOne(ctx, sess); err != nil {
		return fmt.Errorf("insert session %s: %w", sess.SessionID, Wrap(err))
	}
	return nil
}

// Get loads one session by its full id.
func (s *Sessions) Get(ctx context.Context, id string) (*contract.Session, error) {
	var sess contract.Session
	err := s.c.FindOne(ctx, bson.D{{Key: "session_id", Value: id}}).Decode(&sess)
	if err == mongo.ErrNoDocuments {
		return nil, notFound("replay session", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load session %s: %w", id, Wrap(err))
	}
	return &sess, nil
}

// Resolve finds the one session whose id starts with prefix, as git resolves
// abbreviated hashes.
func (s *Sessions) Resolve(ctx context.Context, prefix string) (*contract.Session, error) {
	q := bson.D{{Key: "session_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(prefix)}}}}
	cur, err := s.c.Find(ctx, q, options.Find().SetLimit(maxCandidates+1))
	if err != nil {
		return nil, fmt.Errorf("look up session %s: %w", prefix, Wrap(err))
	}
	var found []contract.Session
	if err := cur.All(ctx, &found); err != nil {
		return nil, fmt.Errorf("look up session %s: %w", prefix, Wrap(err))
	}
	ids := make([]string, len(found))
	for i := range found {
		ids[i] = found[i].SessionID
		if found[i].SessionID == prefix {
			return &found[i], nil
		}
	}
	if err := resolveOne("replay session", prefix, ids); err != nil {
		return nil, err
	}
	return &found[0], nil
}

// ListOptions filter and bound a session listing.
type ListOptions struct {
	Statuses []contract.SessionStatus
	Limit    int64
}

// List returns sessions newest first.
func (s *Sessions) List(ctx context.Context, o ListOptions) ([]contract.Session, error) {
	q := bson.D{}
	if len(o.Statuses) > 0 {
		q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: o.Statuses}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}})
	if o.Limit > 0 {
		opts.SetLimit(o.Limit)
	}
	cur, err := s.c.Find(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", Wrap(err))
	}
	var out []contract.Session
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list sessions: %w", Wrap(err))
	}
	return out, nil
}

// CountByStatus counts sessions per status.
func (s *Sessions) CountByStatus(ctx context.Context) (map[string]int64, error) {
	return countByField(ctx, s.c, "$status")
}

// Update applies $set to one session. Callers must hold the session (see the
// replay package's lease) or be its only writer.
func (s *Sessions) Update(ctx context.Context, id string, set bson.D) error {
	return WithRetry(ctx, func(ctx context.Context) error {
		res, err := s.c.UpdateOne(ctx, bson.D{{Key: "session_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
		if err != nil {
			return fmt.Errorf("update session %s: %w", id, Wrap(err))
		}
		if res.MatchedCount == 0 {
			return notFound("replay session", id)
		}
		return nil
	})
}

// TerminalOlderThan lists terminal sessions created before cutoff.
func (s *Sessions) TerminalOlderThan(ctx context.Context, cutoff time.Time) ([]contract.Session, error) {
	q := bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{contract.StatusCompleted, contract.StatusFailed, contract.StatusCancelled}}}},
		{Key: "created_at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
	}
	cur, err := s.c.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("find old sessions: %w", Wrap(err))
	}
	var out []contract.Session
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("find old sessions: %w", Wrap(err))
	}
	return out, nil
}

// DeleteIDs removes sessions by id, in chunks below the embedded server's
// per-statement parameter limit.
func (s *Sessions) DeleteIDs(ctx context.Context, ids []string) (int64, error) {
	var deleted int64
	for start := 0; start < len(ids); start += deleteChunk {
		end := min(start+deleteChunk, len(ids))
		res, err := s.c.DeleteMany(ctx, bson.D{{Key: "session_id", Value: bson.D{{Key: "$in", Value: ids[start:end]}}}})
		if err != nil {
			return deleted, fmt.Errorf("delete sessions: %w", Wrap(err))
		}
		deleted += res.DeletedCount
	}
	return deleted, nil
}

// EnsureIndexes creates the contract's session indexes.
func (s *Sessions) EnsureIndexes(ctx context.Context) error {
	models := []mongo.IndexModel{
		{Keys: bson.D{{Key: "session_id", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "replay_id", Value: 1}}},
		{Keys: bson.D{{Key: "created_at", Value: 1}}},
		{Keys: bson.D{{Key: "status", Value: 1}}},
	}
	return createIndexes(ctx, s.c, models)
}
