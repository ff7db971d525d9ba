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
	raw, err := s.c.FindOne(ctx, bson.D{{Key: "session_id", Value: id}}).Raw()
	if err == mongo.ErrNoDocuments {
		return nil, notFound("replay session", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load session %s: %w", id, Wrap(err))
	}
	sess, err := decodeOne[contract.Session](raw, nil)
	if err != nil {
		return nil, fmt.Errorf("session %s cannot be read (see `replayctl replay show %s`): %w", id, id, err)
	}
	return &sess, nil
}

// Resolve finds the one session whose id starts with prefix, as git resolves
// abbreviated hashes. A matching document that does not decode is an error
// naming it; ResolveLenient reads such a document for `show`.
func (s *Sessions) Resolve(ctx context.Context, prefix string) (*contract.Session, error) {
	raw, err := s.ResolveRaw(ctx, prefix)
	if err != nil {
		return nil, err
	}
	sess, err := decodeOne(raw, contract.CheckSession)
	if err != nil {
		return nil, fmt.Errorf("session %s cannot be read (see `replayctl replay show %s`): %w", prefix, prefix, err)
	}
	return &sess, nil
}

// ResolveLenient is Resolve for a document other software may have written:
// it returns what can be read and the fields that could not.
func (s *Sessions) ResolveLenient(ctx context.Context, prefix string) (*contract.Session, []contract.FieldProblem, error) {
	raw, err := s.ResolveRaw(ctx, prefix)
	if err != nil {
		return nil, nil, err
	}
	sess, problems := contract.DecodeSessionLenient(raw)
	return &sess, problems, nil
}

// ResolveRaw finds the one session document whose session_id starts with
// prefix, undecoded. Candidates are told apart by their raw session_id, so
// a foreign document elsewhere in the collection never gets in the way.
func (s *Sessions) ResolveRaw(ctx context.Context, prefix string) (bson.Raw, error) {
	q := bson.D{{Key: "session_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(prefix)}}}}
	cur, err := s.c.Find(ctx, q, options.Find().SetLimit(maxCandidates+1))
	if err != nil {
		return nil, fmt.Errorf("look up session %s: %w", prefix, Wrap(err))
	}
	defer cur.Close(ctx)
	var (
		found []bson.Raw
		ids   []string
	)
	for cur.Next(ctx) {
		raw := append(bson.Raw(nil), cur.Current...)
		id, _ := raw.Lookup("session_id").StringValueOK()
		if id == prefix {
			return raw, nil
		}
		found, ids = append(found, raw), append(ids, id)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("look up session %s: %w", prefix, Wrap(err))
	}
	if len(found) == 0 {
		// The _id is how a skipped document without a usable session_id is
		// named (list --show-invalid), so `show` takes it too.
		if raw, err := s.byObjectID(ctx, prefix); raw != nil || err != nil {
			return raw, err
		}
	}
	if err := resolveOne("replay session", prefix, ids); err != nil {
		return nil, err
	}
	return found[0], nil
}

func (s *Sessions) byObjectID(ctx context.Context, id string) (bson.Raw, error) {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return nil, nil
	}
	raw, err := s.c.FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Raw()
	if err == mongo.ErrNoDocuments {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up session %s: %w", id, Wrap(err))
	}
	return append(bson.Raw(nil), raw...), nil
}

// ListOptions filter and bound a session listing.
type ListOptions struct {
	Statuses []contract.SessionStatus
	Limit    int64
}

// List returns sessions newest first. Documents that do not decode (other
// software shares the collection) are skipped and reported in the page.
func (s *Sessions) List(ctx context.Context, o ListOptions) (Page[contract.Session], error) {
	q := bson.D{}
	if len(o.Statuses) > 0 {
		q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: o.Statuses}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}})
	if o.Limit > 0 {
		opts.SetLimit(o.Limit)
	}
	return s.page(ctx, "list sessions", q, opts)
}

// CountByStatus counts sessions per status, one indexed count per status
// (see countPerStatus).
func (s *Sessions) CountByStatus(ctx context.Context) (map[string]int64, error) {
	known := make([]string, len(contract.SessionStatuses))
	for i, st := range contract.SessionStatuses {
		known[i] = string(st)
	}
	return countPerStatus(ctx, s.c, known)
}

// Update applies $set to one session. Callers must hold the session (see the
// replay package's lease) or be its only writer.
func (s *Sessions) Update(ctx context.Context, id string, set bson.D) error {
	return WithRetry(ctx, func(ctx context.Context) error {
		res, err := s.c.UpdateOne(ctx, bson.D{{Key: "session_id", Value: id}}, setDoc(set))
		if err != nil {
			return fmt.Errorf("update session %s: %w", id, Wrap(err))
		}
		if res.MatchedCount == 0 {
			return notFound("replay session", id)
		}
		return nil
	})
}

// TerminalOlderThan lists terminal sessions created before cutoff; ones that
// do not decode are skipped and reported, and so never deleted.
func (s *Sessions) TerminalOlderThan(ctx context.Context, cutoff time.Time) (Page[contract.Session], error) {
	q := bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{contract.StatusCompleted, contract.StatusFailed, contract.StatusCancelled}}}},
		{Key: "created_at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
	}
	return s.page(ctx, "find old sessions", q, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}))
}

// page finds the sessions matching q, decoding each on its own so one that
// does not decode is reported instead of failing the read; what names the
// read in errors.
func (s *Sessions) page(ctx context.Context, what string, q bson.D, opts *options.FindOptionsBuilder) (Page[contract.Session], error) {
	cur, err := s.c.Find(ctx, q, opts)
	if err != nil {
		return Page[contract.Session]{}, fmt.Errorf("%s: %w", what, Wrap(err))
	}
	items, skipped, err := DecodeEach(ctx, cur, s.c.Name(), contract.CheckSession)
	if err != nil {
		return Page[contract.Session]{}, fmt.Errorf("%s: %w", what, err)
	}
	return Page[contract.Session]{Items: items, Total: int64(len(items)), Skipped: skipped}, nil
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

// SessionIndexes are the contract's replay_sessions indexes.
var SessionIndexes = []IndexSpec{
	{Keys: bson.D{{Key: "session_id", Value: 1}}, Unique: true},
	{Keys: bson.D{{Key: "replay_id", Value: 1}}},
	{Keys: bson.D{{Key: "created_at", Value: 1}}},
	{Keys: bson.D{{Key: "status", Value: 1}}},
}

// EnsureIndexes creates the contract's session indexes that are missing.
func (s *Sessions) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, s.c, SessionIndexes)
}
