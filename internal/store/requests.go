package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RequestDoc asks the runner that holds a session to change its status
// (EMBEDDED.md: others send requests, not writes). The requester inserts it;
// whoever applies it, or the requester when it gives up, deletes it.
type RequestDoc struct {
	ID          string    `bson:"_id"`
	SessionID   string    `bson:"session_id"`
	Action      string    `bson:"action"`
	RequestedBy string    `bson:"requested_by"`
	RequestedAt time.Time `bson:"requested_at"`
}

// Requests is the `replay_requests` collection: tiny, scanned once a second
// per running session.
type Requests struct {
	c *mongo.Collection
}

// Requests returns the request repository of this database.
func (s *Store) Requests() *Requests {
	return &Requests{c: s.Coordination(RequestsCollection)}
}

// Collection exposes the collection for tests.
func (r *Requests) Collection() *mongo.Collection { return r.c }

// Insert stores a request.
func (r *Requests) Insert(ctx context.Context, d *RequestDoc) error {
	err := WithRetry(ctx, func(ctx context.Context) error {
		_, err := r.c.InsertOne(ctx, d)
		return err
	})
	if err != nil {
		return fmt.Errorf("request %s of session %s: %w", d.Action, d.SessionID, Wrap(err))
	}
	return nil
}

// Pending returns a session's requests, oldest first.
func (r *Requests) Pending(ctx context.Context, sessionID string) ([]RequestDoc, error) {
	opts := options.Find().SetSort(bson.D{{Key: "requested_at", Value: 1}})
	return r.find(ctx, bson.D{{Key: "session_id", Value: sessionID}}, "session "+sessionID, opts)
}

// find reads the requests filter selects. A request that does not decode
// cannot be applied; skipping it keeps the runner's control loop going.
func (r *Requests) find(ctx context.Context, filter bson.D, of string, opts ...options.Lister[options.FindOptions]) ([]RequestDoc, error) {
	cur, err := r.c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, fmt.Errorf("read requests of %s: %w", of, Wrap(err))
	}
	out, _, err := DecodeEach[RequestDoc](ctx, cur, r.c.Name(), nil)
	if err != nil {
		return nil, fmt.Errorf("read requests of %s: %w", of, err)
	}
	return out, nil
}

// PendingOf returns the requests of any of the given sessions (or jobs),
// in one query.
func (r *Requests) PendingOf(ctx context.Context, sessionIDs []string) ([]RequestDoc, error) {
	if len(sessionIDs) == 0 {
		return nil, nil
	}
	filter := bson.D{{Key: "session_id", Value: bson.D{{Key: "$in", Value: sessionIDs}}}}
	return r.find(ctx, filter, fmt.Sprintf("%d sessions", len(sessionIDs)))
}

// Delete removes requests by id; deleting one that is gone is not an error.
func (r *Requests) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return WithRetry(ctx, func(ctx context.Context) error {
		_, err := r.c.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return fmt.Errorf("delete requests: %w", Wrap(err))
		}
		return nil
	})
}

// DeleteSessions removes every request of the given sessions.
func (r *Requests) DeleteSessions(ctx context.Context, sessionIDs []string) error {
	return deleteBySession(ctx, r.c, sessionIDs)
}

// EnsureIndexes creates the lookup index if it is missing.
func (r *Requests) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, r.c, []IndexSpec{{Keys: bson.D{{Key: "session_id", Value: 1}}}})
}
