// Command status measures how long `replayctl status` takes on the embedded
// stack (FerretDB + kfake, in this process) with a large event store, and
// how long each count it runs takes on its own. See README.md.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/bench/internal/profiling"
	"github.com/integr8scode/replayctl/bench/internal/results"
	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/store"
)

// bar is the issue's: status answers in under a second at 100,000 events.
const bar = time.Second

type benchConfig struct {
	events, dlq, sessions, runs, scanRuns int
	timeout                               time.Duration
	cpuProfile                            string
	results                               string
}

func main() {
	var c benchConfig
	flag.IntVar(&c.events, "events", 100000, "events seeded")
	flag.IntVar(&c.dlq, "dlq", 0, "DLQ messages seeded; 0 is the seed's default (events/50)")
	flag.IntVar(&c.sessions, "sessions", 200, "replay sessions seeded")
	flag.IntVar(&c.runs, "runs", 5, "timed runs of status and of each fast count")
	flag.IntVar(&c.scanRuns, "scan-runs", 1, "timed runs of each count that scans the events (seconds to minutes each); 0 skips them")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Second, "status's --timeout (raise it to time a status that is slower than the default)")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed runs (not the seeding)")
	flag.StringVar(&c.results, "results", "", "also write the figures to this markdown file (make bench: bench/results.md)")
	flag.Parse()
	err := run(context.Background(), c)
	switch {
	case errors.Is(err, errBarMissed):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench/status:", err)
		os.Exit(1)
	}
}

var errBarMissed = errors.New("a bar was missed")

func run(ctx context.Context, c benchConfig) error {
	dir, err := os.MkdirTemp("", "replayctl-bench-status-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	stack, err := devstack.Start(sctx, devstack.Options{
		MongoAddr: "127.0.0.1:0", KafkaAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "mongo"),
	})
	cancel()
	if err != nil {
		return err
	}
	defer stack.Close()
	client, err := mongo.Connect(options.Client().ApplyURI(stack.MongoURI()))
	if err != nil {
		return err
	}
	defer client.Disconnect(context.Background())
	const database = "bench_status"
	db := client.Database(database)

	start := time.Now()
	res, err := seed.Seed(ctx, db, seed.Options{Events: c.events, DLQMessages: c.dlq, Rand: rand.New(rand.NewPCG(1, 7))})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := seedSessions(ctx, db, c.sessions); err != nil {
		return err
	}
	fmt.Printf("seeded %d events, %d DLQ messages, %d sessions in %v (load average %s)\n",
		res.Events, res.DLQMessages, c.sessions, time.Since(start).Round(time.Second), loadAverage())

	st := store.FromClient(client, store.Options{Database: database})
	if c.cpuProfile != "" {
		stop, err := profiling.StartCPU(c.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	fmt.Printf("\n%-44s %s\n", "measure", "best / median wall time (CPU time of the best)  [every sample]")
	for _, m := range measures(st, db) {
		runs := c.runs
		if m.scan {
			runs = c.scanRuns
		}
		if runs <= 0 {
			continue
		}
		report(m.name, runs, func() error { return m.fn(ctx) })
	}
	env := map[string]string{
		config.EnvConfig:       filepath.Join(dir, "config.yaml"),
		config.EnvMongoURI:     stack.MongoURI(),
		config.EnvDatabase:     database,
		config.EnvKafkaBrokers: strings.Join(stack.KafkaBrokers(), ","),
		config.EnvTimeout:      c.timeout.String(),
		// As a `replayctl dev` context does.
		config.EnvKafkaAutoCreateTopics: "true",
	}
	best := report("replayctl status -o json (end to end)", c.runs, func() error { return status(ctx, env) })
	verdict := "PASS"
	if best >= bar {
		verdict = "FAIL"
	}
	fmt.Printf("\nstatus at %d events: best %v, bar < %v: %s (load average %s)\n",
		c.events, best.Round(time.Millisecond), bar, verdict, loadAverage())
	if c.results != "" {
		fig := results.Figure{
			Name:  fmt.Sprintf("replayctl status -o json at %d events, best of %d", c.events, c.runs),
			Value: best.Round(time.Millisecond).String(), Bar: "< " + bar.String(), Pass: best < bar,
		}
		if err := results.Write(c.results, "status", []results.Figure{fig}); err != nil {
			return err
		}
	}
	if verdict != "PASS" {
		return errBarMissed
	}
	return nil
}

type measure struct {
	name string
	scan bool // decodes every event on the embedded server
	fn   func(context.Context) error
}

// measures are the counts status runs, and the ones it ran before, alone.
func measures(st *store.Store, db *mongo.Database) []measure {
	events := db.Collection(config.DefaultCollections().Events)
	return []measure{
		{"events: countDocuments({})", true, func(ctx context.Context) error {
			_, err := events.CountDocuments(ctx, bson.D{})
			return err
		}},
		{"events: estimatedDocumentCount", true, func(ctx context.Context) error {
			_, err := events.EstimatedDocumentCount(ctx)
			return err
		}},
		{"events: store Events.Count(empty filter)", false, func(ctx context.Context) error {
			_, err := st.Events.Count(ctx, contract.Filter{})
			return err
		}},
		{"sessions: CountByStatus", false, func(ctx context.Context) error {
			_, err := st.Sessions.CountByStatus(ctx)
			return err
		}},
		{"dlq_messages: CountByStatus", false, func(ctx context.Context) error {
			_, err := st.DLQ.CountByStatus(ctx)
			return err
		}},
	}
}

// status runs `replayctl status -o json` in process with a fresh factory,
// so each run connects as a new process would.
func status(ctx context.Context, env map[string]string) error {
	ios, _, _ := clitest.Term{}.Streams()
	f := cmdutil.New(ios, func(k string) string { return env[k] }, time.Now)
	defer f.Close()
	root := cli.NewCmdRoot(f, version.Info{Version: "bench"})
	return clitest.Exec(ctx, root, ios, "status", "-o", "json")
}

// report times fn runs times, prints the best and the median wall time with
// every sample (the machine is shared, so a single number says little) and
// the CPU time the process spent on the best run, and returns the best. The
// servers run in this process, so that CPU time is the whole work of the
// run, clients and servers together: unlike wall time it barely moves with
// the load of other processes.
func report(name string, runs int, fn func() error) time.Duration {
	type sample struct{ wall, cpu time.Duration }
	samples := make([]sample, 0, runs)
	for range runs {
		cpu0, start := cpuTime(), time.Now()
		if err := fn(); err != nil {
			fmt.Printf("%-44s error: %v\n", name, err)
			return time.Hour
		}
		samples = append(samples, sample{time.Since(start), cpuTime() - cpu0})
	}
	var b strings.Builder
	for _, s := range samples {
		fmt.Fprintf(&b, " %v", s.wall.Round(time.Millisecond))
	}
	byWall := slices.SortedFunc(slices.Values(samples), func(a, b sample) int { return cmp.Compare(a.wall, b.wall) })
	best, median := byWall[0], byWall[len(byWall)/2]
	fmt.Printf("%-44s %v / %v (cpu %v)  [%s ]\n", name, best.wall.Round(time.Millisecond),
		median.wall.Round(time.Millisecond), best.cpu.Round(time.Millisecond), b.String())
	return best.wall
}

// loadAverage says how busy the machine was, where Linux tells.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

// cpuTime is the user plus system time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seedSessions inserts n sessions with the contract's fields, spread over
// the statuses.
func seedSessions(ctx context.Context, db *mongo.Database, n int) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	docs := make([]any, n)
	for i := range docs {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		docs[i] = bson.D{
			{Key: "session_id", Value: id}, {Key: "replay_id", Value: id},
			{Key: "status", Value: string(contract.SessionStatuses[i%len(contract.SessionStatuses)])},
			{Key: "config", Value: bson.D{{Key: "replay_type", Value: "event_type"}, {Key: "target", Value: "kafka"}}},
			{Key: "total_events", Value: 0}, {Key: "replayed_events", Value: 0},
			{Key: "failed_events", Value: 0}, {Key: "skipped_events", Value: 0},
			{Key: "created_at", Value: now.Add(-time.Duration(i) * time.Minute)},
		}
	}
	if n == 0 {
		return nil
	}
	if _, err := db.Collection(config.DefaultCollections().Sessions).InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("seed sessions: %w", err)
	}
	return nil
}
