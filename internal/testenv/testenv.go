// Package testenv gives integration tests of every package one embedded
// stack (FerretDB + kfake) per test binary, plus per-test databases, Kafka
// clients, unique names and a polling assertion.
//
// A package that uses it declares
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// so the stack is stopped and its temporary directory removed at the end.
package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/devstack"
)

const (
	// startTimeout is generous because -race makes FerretDB 7-10x slower.
	startTimeout   = 2 * time.Minute
	cleanupTimeout = 30 * time.Second
	// maxNameLen is FerretDB's (and MongoDB's) database name limit.
	maxNameLen = 63
	// maxPrefixLen leaves room for part of the test name and the counter.
	maxPrefixLen = 20
	// LogEnv, set to any value, sends the shared stack's server logs to stderr.
	LogEnv = "REPLAYCTL_TESTENV_LOG"
)

// shared is the one stack of this test binary, started on first use.
var shared struct {
	mu      sync.Mutex
	started bool
	closed  bool
	stack   *devstack.Stack
	dir     string
	err     error
}

// Shared returns the test binary's embedded stack, starting it on first use
// on free ports in a temporary directory.
func Shared(t testing.TB) *devstack.Stack {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.closed {
		t.Fatal("testenv: Shared called after Main stopped the stack")
	}
	if !shared.started {
		shared.started = true
		shared.stack, shared.dir, shared.err = startStack()
	}
	if shared.err != nil {
		t.Fatalf("testenv: start embedded stack: %v", shared.err)
	}
	return shared.stack
}

func startStack() (*devstack.Stack, string, error) {
	dir, err := os.MkdirTemp("", "replayctl-testenv-")
	if err != nil {
		return nil, "", fmt.Errorf("temp dir: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	s, err := devstack.Start(ctx, devstack.Options{
		MongoAddr: "127.0.0.1:0",
		KafkaAddr: "127.0.0.1:0",
		DataDir:   filepath.Join(dir, "mongo"),
		Logger:    serverLogger(),
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", err
	}
	return s, dir, nil
}

func serverLogger() *slog.Logger {
	if os.Getenv(LogEnv) == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Main runs the tests, then stops the shared stack if a test started it and
// removes its directory, and exits with the tests' code.
func Main(m *testing.M) {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func shutdown() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.closed = true
	if shared.stack == nil {
		return nil
	}
	if err := shared.stack.Close(); err != nil {
		return fmt.Errorf("stop embedded stack: %w", err)
	}
	if err := os.RemoveAll(shared.dir); err != nil {
		return fmt.Errorf("remove %s: %w", shared.dir, err)
	}
	return nil
}

// Client returns a MongoDB client connected to the shared stack,
// disconnected when the test ends.
func Client(t testing.TB) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(Shared(t).MongoURI()))
	if err != nil {
		t.Fatalf("testenv: mongo connect: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := c.Disconnect(ctx); err != nil {
			t.Logf("testenv: mongo disconnect: %v", err)
		}
	})
	return c
}

// Database returns a database of its own for the test, on a fresh client;
// it is dropped and the client disconnected when the test ends.
func Database(t testing.TB) *mongo.Database {
	t.Helper()
	db := Client(t).Database(UniqueName(t, "db"))
	// Registered after Client's cleanup, so it runs first (LIFO).
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Logf("testenv: drop database %s: %v", db.Name(), err)
		}
	})
	return db
}

// Kafka returns a client of the shared Kafka that may auto-create topics,
// closed when the test ends. opts are applied after the defaults.
func Kafka(t testing.TB, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	base := []kgo.Opt{kgo.SeedBrokers(Shared(t).KafkaBrokers()...), kgo.AllowAutoTopicCreation()}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("testenv: kafka client: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

var nameSeq atomic.Uint64

// UniqueName returns prefix_<test name>_<n>, unique within the test binary
// (so on its stack), at most 63 characters of [A-Za-z0-9_]: valid as a
// database, collection, topic or group name. Use it for anything tests
// could otherwise share by accident.
func UniqueName(t testing.TB, prefix string) string {
	t.Helper()
	suffix := fmt.Sprintf("_%d", nameSeq.Add(1))
	head := sanitize(prefix)
	if head == "" {
		head = "t"
	}
	head = head[:min(len(head), maxPrefixLen)]
	name := sanitize(t.Name())
	name = name[:min(len(name), maxNameLen-len(head)-1-len(suffix))]
	if name == "" {
		return head + suffix
	}
	return head + "_" + name + suffix
}

// sanitize keeps ASCII letters and digits and turns runs of anything else
// into one underscore.
func sanitize(s string) string {
	var b strings.Builder
	lastUnderscore := false
	for _, r := range s {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		switch {
		case ok:
			b.WriteRune(r)
			lastUnderscore = false
		case !lastUnderscore:
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	return strings.Trim(b.String(), "_")
}

// Eventually polls cond until it returns true, failing the test if it has
// not within timeout. Use it to wait for asynchronous effects instead of a
// sleep. Call it from the test's goroutine (it may call t.Fatalf).
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for !cond() {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("testenv: not true within %v: %s", timeout, fmt.Sprintf(msg, args...))
			return
		}
		time.Sleep(min(wait, left))
		wait = min(2*wait, 100*time.Millisecond)
	}
}
