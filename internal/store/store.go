// Package store holds replayctl's MongoDB repositories for the collections the
// contract defines, plus replayctl's own small coordination collections.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/fault"
)

// Collections names the contract's collections; empty fields take defaults.
type Collections struct {
	Events, Sessions, DLQ string
}

func (c Collections) withDefaults() Collections {
	if c.Events == "" {
		c.Events = "events"
	}
	if c.Sessions == "" {
		c.Sessions = "replay_sessions"
	}
	if c.DLQ == "" {
		c.DLQ = "dlq_messages"
	}
	return c
}

// Options configure a connection.
type Options struct {
	URI         string
	Database    string
	Collections Collections
	// Timeout bounds server selection and the first ping, so a command against
	// an unreachable server fails within it instead of hanging.
	Timeout time.Duration
}

// Store is a connected MongoDB database with the repositories on it.
type Store struct {
	client      *mongo.Client
	db          *mongo.Database
	collections Collections
	uri         string

	Events   *Events
	Sessions *Sessions
	DLQ      *DLQ
}

// Connect dials MongoDB and pings it within opts.Timeout.
func Connect(ctx context.Context, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	clientOpts := options.Client().ApplyURI(opts.URI).
		SetServerSelectionTimeout(opts.Timeout).
		SetConnectTimeout(opts.Timeout).
		SetAppName("replayctl")
	client, err := mongo.Connect(clientOpts)
	if err != nil {
		return nil, fault.Invalidf("invalid MongoDB URI: %v", cleanDriverError(err))
	}
	pingCtx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, Unavailable(opts.URI, err)
	}
	return newStore(client, opts), nil
}

// FromClient wraps an existing client (tests and the embedded stack).
func FromClient(client *mongo.Client, opts Options) *Store {
	return newStore(client, opts)
}

func newStore(client *mongo.Client, opts Options) *Store {
	cols := opts.Collections.withDefaults()
	db := client.Database(opts.Database)
	return &Store{
		client:      client,
		db:          db,
		collections: cols,
		uri:         opts.URI,
		Events:      &Events{c: db.Collection(cols.Events)},
		Sessions:    &Sessions{c: db.Collection(cols.Sessions)},
		DLQ:         &DLQ{c: db.Collection(cols.DLQ)},
	}
}

// Database returns the underlying database handle.
func (s *Store) Database() *mongo.Database { return s.db }

// Client returns the underlying client.
func (s *Store) Client() *mongo.Client { return s.client }

// Collections returns the resolved collection names.
func (s *Store) Collections() Collections { return s.collections }

// Close disconnects; it never blocks longer than a few seconds.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.client.Disconnect(ctx)
}

// Ping checks the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return Unavailable(s.uri, err)
	}
	return nil
}

// ServerVersion returns the server's reported version.
func (s *Store) ServerVersion(ctx context.Context) (string, error) {
	var info struct {
		Version string `bson:"version"`
	}
	err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info)
	if err != nil {
		return "", fmt.Errorf("read server version: %w", Wrap(err))
	}
	return info.Version, nil
}

// ServerTime returns the server's clock as its hello reply reports it
// (localTime), with the local times just before and after the round trip.
func (s *Store) ServerTime(ctx context.Context) (server, before, after time.Time, err error) {
	var reply struct {
		LocalTime time.Time `bson:"localTime"`
	}
	before = time.Now()
	err = s.db.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&reply)
	after = time.Now()
	if err != nil {
		return time.Time{}, before, after, fmt.Errorf("read the server's clock: %w", Wrap(err))
	}
	if reply.LocalTime.IsZero() {
		return time.Time{}, before, after, errors.New("read the server's clock: hello reported no localTime")
	}
	return reply.LocalTime, before, after, nil
}

// Unavailable is a connection failure naming the server (without its
// password).
func Unavailable(uri string, err error) error {
	return &fault.UnavailableError{Server: fault.MongoDB, Addr: config.RedactURI(uri), Err: cleaned(err)}
}

// Wrap classifies a driver error from an operation: an unreachable server
// is a fault.UnavailableError, everything else is returned as is. The
// driver's error stays in the chain, so IsRetryable, mongo.IsNetworkError
// and errors.Is(err, context.DeadlineExceeded) still see it.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	var netErr net.Error
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) || errors.As(err, &netErr) ||
		errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "server selection") {
		return &fault.UnavailableError{Server: fault.MongoDB, Err: cleaned(err)}
	}
	return err
}

// IsDuplicateKey reports a unique-index violation, the primitive replayctl
// coordinates with (see EMBEDDED.md: inserts are atomic on both servers).
func IsDuplicateKey(err error) bool {
	return mongo.IsDuplicateKeyError(err)
}

// IsRetryable reports errors worth retrying with back-off: SQLite's lock
// contention on the embedded server, and transient network errors.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY") ||
		mongo.IsNetworkError(err) || mongo.IsTimeout(err)
}

// driverError shows a driver error's short message and keeps the error
// itself for classification.
type driverError struct {
	msg string
	err error
}

func (e *driverError) Error() string { return e.msg }
func (e *driverError) Unwrap() error { return e.err }

func cleaned(err error) error { return &driverError{msg: cleanDriverError(err), err: err} }

// cleanDriverError shortens the driver's multi-line topology dumps to their cause.
func cleanDriverError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ", current topology:"); i > 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, "server selection error: "); i >= 0 {
		msg = msg[i+len("server selection error: "):]
	}
	if strings.Contains(msg, "context deadline exceeded") {
		msg = "no answer before the timeout (" + msg + ")"
	}
	return msg
}
