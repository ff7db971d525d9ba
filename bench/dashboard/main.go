// Command dashboard measures what one refresh of each `replayctl ui` view
// costs on a `replayctl dev --seed N` stack (FerretDB + kfake in this
// process): the MongoDB commands and Kafka requests it sends, and its wall
// time, the header's pings included. See the README's dashboard section.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/wiring"
)

type benchConfig struct {
	events, sessions, runs int
	limit                  int64
}

func main() {
	var c benchConfig
	flag.IntVar(&c.events, "seed", 20000, "events seeded, as `replayctl dev --seed N` seeds them (with N/50 DLQ messages)")
	flag.IntVar(&c.sessions, "sessions", 20, "replay sessions created")
	flag.IntVar(&c.runs, "runs", 5, "timed refreshes of each view")
	flag.Int64Var(&c.limit, "limit", 100, "the lists' limit")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "bench/dashboard:", err)
		os.Exit(1)
	}
}

// counters count what the source sends to each server.
type counters struct{ mongo, kafka atomic.Int64 }

func (c *counters) started(context.Context, *event.CommandStartedEvent) { c.mongo.Add(1) }

// OnBrokerWrite implements kgo.HookBrokerWrite: one call per request.
func (c *counters) OnBrokerWrite(kgo.BrokerMetadata, int16, int, time.Duration, time.Duration, error) {
	c.kafka.Add(1)
}

func run(ctx context.Context, c benchConfig) error {
	dir, err := os.MkdirTemp("", "replayctl-bench-dashboard-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	stack, err := devstack.Start(sctx, devstack.Options{MongoAddr: "127.0.0.1:0", KafkaAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "mongo")})
	cancel()
	if err != nil {
		return err
	}
	defer stack.Close()
	env := map[string]string{
		config.EnvConfig: filepath.Join(dir, "config.yaml"), config.EnvMongoURI: stack.MongoURI(),
		config.EnvKafkaBrokers: strings.Join(stack.KafkaBrokers(), ","), config.EnvTimeout: "30s",
		config.EnvKafkaAutoCreateTopics: "true", "USER": "bench",
	}
	ios, _, _ := clitest.Term{}.Streams()
	f := cmdutil.New(ios, func(k string) string { return env[k] }, time.Now)
	defer f.Close()
	s, err := f.Settings()
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := seed.SeedURI(ctx, stack.MongoURI(), s.Database, seed.Options{Events: c.events, Rand: rand.New(rand.NewPCG(1, 7)),
		EventsCollection: s.Collections.Events, DLQCollection: s.Collections.DLQ, TopicPrefix: s.TopicPrefix})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := populate(ctx, env, c.sessions); err != nil {
		return err
	}
	fmt.Printf("seeded %d events, %d DLQ messages, %d sessions, 1 redrive job in %v (load average %s)\n",
		res.Events, res.DLQMessages, c.sessions, time.Since(start).Round(time.Second), loadAverage())

	src, count, err := countedSource(ctx, s)
	if err != nil {
		return err
	}
	views, err := refreshes(ctx, src, c.limit)
	if err != nil {
		return err
	}
	fmt.Printf("\none refresh = the header's pings + the view's queries (lists limited to %d)\n", c.limit)
	fmt.Printf("%-16s %8s %8s  %s\n", "view", "mongo", "kafka", "best / median wall time  [every sample]")
	for _, v := range views {
		measure(ctx, src, v, count, c.runs)
	}
	fmt.Printf("(load average %s)\n", loadAverage())
	return nil
}

// populate creates sessions over the seeded events and one redrive job of
// the pending messages, as an operator would with the commands.
func populate(ctx context.Context, env map[string]string, sessions int) error {
	types := []string{"execution_completed", "execution_failed", "pod_running", "user_login", "script_saved"}
	for i := range sessions {
		if err := command(ctx, env, "replay", "create", "--type", types[i%len(types)], "--target", "file",
			"--out", filepath.Join(os.TempDir(), "replayctl-bench-dashboard.jsonl")); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
	}
	return command(ctx, env, "dlq", "retry", "--all", "--status", "scheduled", "--detach", "--yes", "--reason", "bench")
}

func command(ctx context.Context, env map[string]string, args ...string) error {
	ios, _, _ := clitest.Term{}.Streams()
	f := cmdutil.New(ios, func(k string) string { return env[k] }, time.Now)
	defer f.Close()
	return clitest.Exec(ctx, cli.NewCmdRoot(f, version.Info{Version: "bench"}), ios, args...)
}

// countedSource is the dashboard's source on clients whose commands and
// requests are counted.
func countedSource(ctx context.Context, s *config.Settings) (dashboard.Source, *counters, error) {
	count := &counters{}
	cl, err := mongo.Connect(options.Client().ApplyURI(s.MongoURI).SetMonitor(&event.CommandMonitor{Started: count.started}))
	if err != nil {
		return nil, nil, err
	}
	kopts, err := wiring.KafkaOptions(s)
	if err != nil {
		return nil, nil, err
	}
	kc, err := kafka.NewClient(kopts, kgo.WithHooks(count))
	if err != nil {
		return nil, nil, err
	}
	w := &wiring.Wiring{Settings: s, Store: store.FromClient(cl, wiring.StoreOptions(s)), Now: time.Now}
	return dashboard.NewSource(dashboard.SourceConfig{Context: "dev", Brokers: s.KafkaBrokers,
		Wiring: func(context.Context) (*wiring.Wiring, error) { return w, nil },
		Kafka:  func(context.Context) (*kgo.Client, error) { return kc, nil }}), count, nil
}

type view struct {
	name  string
	query func(context.Context) error
}

// refreshes are the views, each with the id its detail view opens.
func refreshes(ctx context.Context, src dashboard.Source, limit int64) ([]view, error) {
	rows, err := src.Sessions(ctx, 1)
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("no session to open: %v", err)
	}
	msgs, _, err := src.Messages(ctx, dlq.ListFilter{Limit: 1})
	if err != nil || len(msgs) == 0 {
		return nil, fmt.Errorf("no message to open: %v", err)
	}
	sid, eid := rows[0].Session.SessionID, msgs[0].EventID()
	return []view{
		{"header only", func(context.Context) error { return nil }},
		{"1 sessions", func(ctx context.Context) error { _, err := src.Sessions(ctx, limit); return err }},
		{"  session detail", func(ctx context.Context) error { _, err := src.Session(ctx, sid); return err }},
		{"2 DLQ topics", func(ctx context.Context) error { _, err := src.DLQTopics(ctx); return err }},
		{"3 errors", func(ctx context.Context) error { _, err := src.ErrorGroups(ctx, limit); return err }},
		{"4 messages", func(ctx context.Context) error {
			_, _, err := src.Messages(ctx, dlq.ListFilter{Limit: limit})
			return err
		}},
		{"  message detail", func(ctx context.Context) error { _, err := src.Message(ctx, eid); return err }},
		{"5 jobs", func(ctx context.Context) error { _, err := src.Jobs(ctx, limit); return err }},
		{"6 workers", func(ctx context.Context) error { _, err := src.Workers(ctx, limit); return err }},
	}, nil
}

// measure runs one refresh to warm up, then runs timed ones: the pings and
// the view's queries side by side, as the model issues them.
func measure(ctx context.Context, src dashboard.Source, v view, count *counters, runs int) {
	refresh := func() (time.Duration, error) {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		began := time.Now()
		errc := make(chan error, 1)
		go func() { errc <- v.query(rctx) }()
		h := src.Ping(rctx)
		err := cmp.Or(<-errc, h.Mongo, h.Kafka)
		return time.Since(began), err
	}
	if _, err := refresh(); err != nil {
		fmt.Printf("%-16s error: %v\n", v.name, err)
		return
	}
	count.mongo.Store(0)
	count.kafka.Store(0)
	walls := make([]time.Duration, 0, runs)
	for range runs {
		took, err := refresh()
		if err != nil {
			fmt.Printf("%-16s error: %v\n", v.name, err)
			return
		}
		walls = append(walls, took)
	}
	var b strings.Builder
	for _, w := range walls {
		fmt.Fprintf(&b, " %v", w.Round(100*time.Microsecond))
	}
	sorted := slices.Clone(walls)
	slices.Sort(sorted)
	fmt.Printf("%-16s %8.1f %8.1f  %v / %v  [%s ]\n", v.name,
		float64(count.mongo.Load())/float64(runs), float64(count.kafka.Load())/float64(runs),
		sorted[0].Round(100*time.Microsecond), sorted[len(sorted)/2].Round(100*time.Microsecond), b.String())
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}
