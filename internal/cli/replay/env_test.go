package replaycmd

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// cmdTimeout bounds waiting on a command run in the background; -race
// makes FerretDB slow.
const cmdTimeout = 90 * time.Second

// testEnv is the harness's environment for `replayctl replay`, with the
// session and event helpers of these tests.
type testEnv struct {
	*clitest.Env
	t     *testing.T
	store *store.Store
	// kafka lists topics without creating them (no auto-creation).
	kafka *kgo.Client
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	ce := clitest.New(t, NewCmdReplay)
	ce.Vars[config.EnvTimeout] = "10s"
	ce.Vars["USER"] = "tester"
	cl, err := kgo.NewClient(kgo.SeedBrokers(testenv.Shared(t).KafkaBrokers()...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &testEnv{Env: ce, t: t, store: ce.Store, kafka: cl}
}

func replayArgs(args []string) []string { return append([]string{"replay"}, args...) }

// run executes `replayctl replay args...` on the env's terminal.
func (e *testEnv) run(args ...string) clitest.Result {
	e.t.Helper()
	return e.Run(replayArgs(args)...)
}

// json runs with -o json.
func (e *testEnv) json(args ...string) clitest.Result {
	e.t.Helper()
	return e.run(append(args, "-o", "json")...)
}

// runCtx runs under ctx, cancelled like main's on Ctrl-C.
func (e *testEnv) runCtx(ctx context.Context, args ...string) clitest.Result {
	return e.RunWith(e.Term, ctx, replayArgs(args)...)
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
