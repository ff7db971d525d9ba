package replaycmd

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/integr8scode/replayctl/internal/wiring"
)

// cmdTimeout bounds one command in a test; -race makes FerretDB slow.
const cmdTimeout = 90 * time.Second

// testEnv is one test's database, topic prefix and factory on the shared
// embedded stack; commands run in process, as main runs them.
type testEnv struct {
	t        *testing.T
	store    *store.Store
	settings *config.Settings
	kafka    *kgo.Client

	// format, tty and stdin shape the next command; change them only
	// between commands, never while one runs in another goroutine.
	format output.Format
	tty    bool
	stdin  string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	stack := testenv.Shared(t)
	db := testenv.Database(t)
	e := &testEnv{
		t:     t,
		store: store.FromClient(db.Client(), store.Options{Database: db.Name()}),
		settings: &config.Settings{
			MongoURI: stack.MongoURI(), Database: db.Name(), KafkaBrokers: stack.KafkaBrokers(),
			TopicPrefix: testenv.UniqueName(t, "tp") + "_", DLQTopic: config.DefaultDLQTopic,
			Timeout: 10 * time.Second, Output: "table",
		},
		format: output.FormatTable,
	}
	e.kafka = e.plainKafka()
	return e
}

// plainKafka is a client built as the real factory builds f.Kafka: no
// topic auto-creation, so previews cannot create what they look for.
func (e *testEnv) plainKafka() *kgo.Client {
	e.t.Helper()
	opts, err := wiring.KafkaOptions(e.settings)
	if err != nil {
		e.t.Fatal(err)
	}
	cl, err := kafka.NewClient(opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(cl.Close)
	return cl
}

// result is what one command did, as main would report it.
type result struct {
	out, err string
	code     exitcode.Code
	raw      error
}

// factory wires a fresh Factory to this test's servers and new buffers.
func (e *testEnv) factory() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, out, errOut := clitest.Term{TTY: e.tty, Stdin: e.stdin}.Streams()
	format := e.format
	f := &cmdutil.Factory{
		IO: ios, Now: time.Now, Overrides: config.Overrides{},
		Getenv:   func(k string) string { return map[string]string{"USER": "tester"}[k] },
		Settings: func() (*config.Settings, error) { return e.settings, nil },
		Printer:  func() (*output.Printer, error) { return output.NewPrinter(ios, format), nil },
		Store:    func(context.Context) (*store.Store, error) { return e.store, nil },
		Kafka:    func(context.Context) (*kgo.Client, error) { return e.kafka, nil },
	}
	return f, out, errOut
}

// run executes `replay args...` and prints the error as main does.
func (e *testEnv) run(args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	return e.runCtx(ctx, args...)
}

// json runs with -o json.
func (e *testEnv) json(args ...string) result {
	e.t.Helper()
	e.format = output.FormatJSON
	defer func() { e.format = output.FormatTable }()
	return e.run(args...)
}

func (e *testEnv) runCtx(ctx context.Context, args ...string) result {
	f, out, errOut := e.factory()
	defer f.Close()
	err := clitest.Exec(ctx, NewCmdReplay(f), f.IO, args...)
	cmdutil.PrintError(f.IO.ErrOut, output.NewStyles(false), err)
	return result{out: out.String(), err: errOut.String(), code: cmdutil.ExitCode(err), raw: err}
}

// must fails the test unless the command exited with code.
func (r result) must(t *testing.T, code exitcode.Code) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nerror: %v\nstdout:\n%s\nstderr:\n%s", r.code, code, r.raw, r.out, r.err)
	}
	return r
}

// session reads a session straight from the store.
func (e *testEnv) session(id string) *contract.Session {
	e.t.Helper()
	s, err := e.store.Sessions.Get(context.Background(), id)
	if err != nil {
		e.t.Fatalf("load session %s: %v", id, err)
	}
	return s
}

// seedEvents inserts n small events of the given types, one second apart,
// ending a minute ago, in one batch; it returns the count per type.
func (e *testEnv) seedEvents(n int, types ...string) map[string]int {
	e.t.Helper()
	base := time.Now().UTC().Add(-time.Minute - time.Duration(n)*time.Second).Truncate(time.Millisecond)
	docs := make([]any, n)
	counts := map[string]int{}
	for i := range n {
		typ := types[i%len(types)]
		counts[typ]++
		docs[i] = eventDoc(fmt.Sprintf("ev-%s-%04d", e.t.Name(), i), typ, base.Add(time.Duration(i)*time.Second), i, "")
	}
	e.insertEvents(docs...)
	return counts
}

func (e *testEnv) insertEvents(docs ...any) {
	e.t.Helper()
	if _, err := e.store.Events.Collection().InsertMany(context.Background(), docs); err != nil {
		e.t.Fatalf("seed events: %v", err)
	}
}

// eventDoc is an events document as the platform stores it.
func eventDoc(id, typ string, ts time.Time, i int, payload string) bson.D {
	return bson.D{
		{Key: "_id", Value: bson.NewObjectID()},
		{Key: "event_id", Value: id},
		{Key: "event_type", Value: typ},
		{Key: "event_version", Value: "1.0"},
		{Key: "timestamp", Value: ts},
		{Key: "aggregate_id", Value: fmt.Sprintf("agg-%d", i%4)},
		{Key: "execution_id", Value: fmt.Sprintf("exec-%d", i%3)},
		{Key: "metadata", Value: bson.D{
			{Key: "service_name", Value: "api"}, {Key: "service_version", Value: "1.0.0"},
			{Key: "user_id", Value: fmt.Sprintf("user-%d", i%2)}, {Key: "environment", Value: "test"},
		}},
		{Key: "stored_at", Value: ts},
		{Key: "ttl_expires_at", Value: ts.Add(30 * 24 * time.Hour)},
		{Key: "seq", Value: i},
		{Key: "note", Value: payload},
	}
}

// firstLine is the first line of s, trimmed.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
