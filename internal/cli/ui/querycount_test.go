package uicmd_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/integr8scode/replayctl/internal/wiring"
)

// commands counts the MongoDB commands a client sends, by name.
type commands struct {
	mu   sync.Mutex
	seen map[string]int
}

func (c *commands) started(_ context.Context, ev *event.CommandStartedEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[ev.CommandName]++
}

// take returns the counts since the last take, as "find=1 ping=1", and
// their total.
func (c *commands) take() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.seen))
	total := 0
	for n, k := range c.seen {
		names = append(names, fmt.Sprintf("%s=%d", n, k))
		total += k
	}
	sort.Strings(names)
	c.seen = map[string]int{}
	return strings.Join(names, " "), total
}

// monitoredSource is the dashboard's source on a client of its own whose
// every command is counted.
func (e *env) monitoredSource() (dashboard.Source, *commands) {
	e.t.Helper()
	s, err := e.f.Settings()
	if err != nil {
		e.t.Fatal(err)
	}
	cmds := &commands{seen: map[string]int{}}
	cl, err := mongo.Connect(options.Client().ApplyURI(s.MongoURI).SetMonitor(&event.CommandMonitor{Started: cmds.started}))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = cl.Disconnect(context.Background()) })
	w := &wiring.Wiring{Settings: s, Store: store.FromClient(cl, wiring.StoreOptions(s)), Now: time.Now}
	src := dashboard.NewSource(dashboard.SourceConfig{Context: s.ContextName, Brokers: s.KafkaBrokers,
		Wiring: func(context.Context) (*wiring.Wiring, error) { return w, nil }, Kafka: e.f.Kafka})
	return src, cmds
}

// seedViews adds n sessions with a live runner each, n messages in one
// error group, n jobs with a live holder each: what an N+1 query would
// grow with.
func (e *env) seedViews(n int) (sessionID, eventID string) {
	e.t.Helper()
	for range n {
		sessionID = e.fileSession("script_saved", "100")
		e.insertLease(e.st.Leases(), sessionID, 1, "run", time.Minute, false)
		eventID = testenv.UUID()
		e.insertMsgs(e.msg(eventID, "execution_failed", "pending", "connection refused to 10.0.0.9:9092", time.Minute))
	}
	e.Run("dlq", "retry", "--all", "--status", "pending", "--detach", "--yes").Want(e.t, 0)
	return sessionID, eventID
}

// Each refresh of a view sends a fixed number of MongoDB commands,
// whatever the number of rows: no query per session, message or job.
func TestSourceQueriesPerRefreshAreFixed(t *testing.T) {
	e := newEnv(t)
	testenv.SeedEvents(t, e.st.Events.Collection(), "script_saved", 3)
	src, cmds := e.monitoredSource()
	// The first call of each kind may create indexes or discover the
	// server; the counts compared are of the second and later refreshes.
	// jobs: the page, then the cancel requests of its unfinished jobs.
	want := map[string]int{"ping": 1, "sessions": 2, "session": 3, "topics": 1, "errors": 1,
		"messages": 1, "message": 3, "jobs": 2, "workers": 2}
	refresh := func(sid, eid string) map[string]string {
		views := map[string]func(ctx context.Context) error{
			"ping":     func(ctx context.Context) error { return src.Ping(ctx).Mongo },
			"sessions": func(ctx context.Context) error { _, err := src.Sessions(ctx, 50); return err },
			"session":  func(ctx context.Context) error { _, err := src.Session(ctx, sid); return err },
			"topics":   func(ctx context.Context) error { _, err := src.DLQTopics(ctx); return err },
			"errors":   func(ctx context.Context) error { _, err := src.ErrorGroups(ctx, 50); return err },
			"messages": func(ctx context.Context) error { _, _, err := src.Messages(ctx, dlq.ListFilter{Limit: 50}); return err },
			"message":  func(ctx context.Context) error { _, err := src.Message(ctx, eid); return err },
			"jobs":     func(ctx context.Context) error { _, err := src.Jobs(ctx, 50); return err },
			"workers":  func(ctx context.Context) error { _, err := src.Workers(ctx, 50); return err },
		}
		got := map[string]string{}
		for name, view := range views {
			if err := view(e.ctx()); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cmds.take()
			if err := view(e.ctx()); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			desc, n := cmds.take()
			got[name] = desc
			if n != want[name] {
				t.Errorf("%s: %d commands (%s), want %d", name, n, desc, want[name])
			}
		}
		return got
	}
	small := refresh(e.seedViews(2))
	large := refresh(e.seedViews(10))
	for name, desc := range small {
		t.Logf("%-8s %s", name, desc)
		if large[name] != desc {
			t.Errorf("%s: %s with 2 rows, %s with 12", name, desc, large[name])
		}
	}
}
