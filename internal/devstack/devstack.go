// Package devstack runs the embedded local platform: FerretDB (MongoDB wire
// protocol over SQLite) and kfake (an in-process Kafka cluster). It is the one
// constructor behind `replayctl dev` and every integration test, so both see
// the same servers configured the same way.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Default listen addresses of `replayctl dev`. MongoDB is not on 27017 so
// that a real local mongod can run beside the dev stack.
const (
	DefaultMongoAddr       = "127.0.0.1:27018"
	DefaultKafkaAddr       = "127.0.0.1:9092"
	DefaultKafkaPartitions = 3
)

// ErrAddrInUse is wrapped by Start's error when a listen address is taken,
// so callers can tell that case apart (errors.Is) and suggest a flag.
var ErrAddrInUse = errors.New("address already in use")

// Options configures Start.
type Options struct {
	// MongoAddr is FerretDB's listen address; "" means DefaultMongoAddr and
	// port 0 picks a free port.
	MongoAddr string
	// KafkaAddr is kfake's listen address; "" means DefaultKafkaAddr and
	// port 0 picks a free port.
	KafkaAddr string
	// DataDir holds FerretDB's SQLite files (created 0700). Required: an
	// in-memory SQLite URL hangs on updates (see EMBEDDED.md).
	DataDir string
	// KafkaDataDir, when set, makes kfake persist topics, records and
	// committed offsets there (created 0700) and reload them on the next
	// Start. Empty keeps Kafka in memory: everything is lost on Close.
	// Only a clean Close is fully durable: kfake records auto-created topics
	// in its metadata at Close, so after a kill those topics and their
	// records are gone on restart (topics created with CreateTopics survive).
	KafkaDataDir string
	// Logger receives both servers' logs; nil discards them. FerretDB logs
	// every connection at Info; kfake's Warn and Error lines are forwarded.
	Logger *slog.Logger
	// KafkaPartitions is the partition count of auto-created topics;
	// 0 means DefaultKafkaPartitions.
	KafkaPartitions int
}

// Stack is a running embedded platform. Close it when done.
type Stack struct {
	mongoURI string
	brokers  []string

	stopMongo func()        // cancels FerretDB's Run context
	mongoDone chan struct{} // closed when FerretDB's Run has returned
	kafka     *kfake.Cluster

	closeOnce sync.Once
}

// Start starts FerretDB and kfake and returns once MongoDB answers ping and
// Kafka answers a metadata request. ctx bounds the wait (30s if it has no
// deadline); on any failure everything already started is stopped again.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Stack{}
	if err := s.startMongo(opts); err != nil {
		return nil, err
	}
	if err := s.startKafka(opts); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.waitReady(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// MongoURI returns the connection string of the embedded MongoDB, e.g.
// "mongodb://127.0.0.1:27018/".
func (s *Stack) MongoURI() string { return s.mongoURI }

// KafkaBrokers returns the seed broker addresses of the embedded Kafka.
func (s *Stack) KafkaBrokers() []string { return append([]string(nil), s.brokers...) }

// Close stops kfake, then FerretDB, and waits for FerretDB's Run goroutine to
// return, so the SQLite files are closed when Close returns and the same
// DataDir can be opened again at once. Close is idempotent and safe for
// concurrent use. Clients should disconnect first: FerretDB gives
// connections that are still open up to 3 seconds to go away.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		if s.kafka != nil {
			// kfake.Close saves persisted state (KafkaDataDir) before returning.
			s.kafka.Close()
		}
		if s.stopMongo != nil {
			s.stopMongo()
			<-s.mongoDone
		}
	})
	return nil
}

func (o Options) withDefaults() (Options, error) {
	if o.MongoAddr == "" {
		o.MongoAddr = DefaultMongoAddr
	}
	if o.KafkaAddr == "" {
		o.KafkaAddr = DefaultKafkaAddr
	}
	if o.KafkaPartitions == 0 {
		o.KafkaPartitions = DefaultKafkaPartitions
	}
	if o.KafkaPartitions < 0 {
		return o, fmt.Errorf("devstack: KafkaPartitions must be positive, got %d", o.KafkaPartitions)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DataDir == "" {
		return o, errors.New("devstack: DataDir is required")
	}
	return o, nil
}

// prepareDir creates dir (0700: it holds the whole dev database) and returns
// its absolute, slash-separated path, as SQLite file URIs need.
func prepareDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("devstack: resolve data dir %q: %w", dir, err)
	}
	// These characters would be read as URI syntax by FerretDB's url.Parse.
	if strings.ContainsAny(abs, "?#%") {
		return "", fmt.Errorf("devstack: data dir %q must not contain '?', '#' or '%%'", abs)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("devstack: create data dir %q: %w", abs, err)
	}
	return filepath.ToSlash(abs), nil
}

// addrError turns a listen failure into an error that names the address and
// the flag to change it with.
func addrError(server, addr, flag string, err error) error {
	if isAddrInUse(err) {
		return fmt.Errorf("devstack: %s cannot listen on %s: %w; stop whatever uses that port "+
			"or choose another address with %s (port 0 picks a free one)", server, addr, ErrAddrInUse, flag)
	}
	return fmt.Errorf("devstack: %s cannot listen on %s: %w", server, addr, err)
}

// isAddrInUse also matches on the text because ferretdb.New flattens the
// listener's error with %s, which drops the wrapped syscall error.
func isAddrInUse(err error) bool {
	if errors.Is(err, syscall.EADDRINUSE) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "address already in use") ||
		strings.Contains(msg, "Only one usage of each socket address")
}

// loopbackAddr rewrites a wildcard listen address (0.0.0.0, ::) to loopback,
// because it is an address to listen on, not one clients can dial everywhere.
func loopbackAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}
