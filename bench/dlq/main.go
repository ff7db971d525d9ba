// Command dlq benchmarks replayctl's DLQ work on the embedded stack (FerretDB
// + kfake, in process) against the raw rates of the same work done with plain
// driver calls, and checks the bar: each replayctl rate must reach at
// least 0.5 of the slower raw rate of its work. See README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/bench/internal/profiling"
	"github.com/integr8scode/replayctl/internal/devstack"
)

// phase prints a progress line to stderr, so a long run shows where it is.
func phase(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

// bar is the target: replayctl rate / slower raw rate.
const bar = 0.5

type config struct {
	records    int           // DLQ topic records to ingest
	retry      int           // messages to bulk-retry (before shrinking)
	floor      time.Duration // target duration of the raw update floor
	calibrateN int           // collection size for measuring the update cost
	growBatch  int           // records per growth measurement
	growStored int           // collection size of the growth measurement
	growRounds int           // growth measurements; each rate's best counts
	phases     string        // which measurements to run
	results    string        // markdown file the figures are also written to
}

func main() { os.Exit(mainCode()) }

// mainCode returns the exit status, so deferred profiling still flushes.
func mainCode() int {
	var c config
	flag.IntVar(&c.records, "records", 50000, "DLQ topic records to ingest")
	flag.IntVar(&c.retry, "retry", 50000, "messages to bulk-retry; shrunk when the raw update floor would exceed -floor")
	flag.DurationVar(&c.floor, "floor", 30*time.Second, "target duration of the raw update floor on the embedded server")
	flag.IntVar(&c.calibrateN, "calibrate", 2000, "collection size used to measure the per-update cost")
	flag.IntVar(&c.growBatch, "growth-batch", 2000, "records ingested per growth measurement")
	flag.IntVar(&c.growStored, "growth-stored", 20000, "dlq_messages size at which the growth bar is checked")
	flag.IntVar(&c.growRounds, "growth-rounds", 2, "growth measurements on fresh databases; each rate's best round counts")
	flag.StringVar(&c.phases, "phases", "ingest,retry,growth", "comma-separated measurements to run: ingest, retry, growth, jobs (a redrive job against a foreground retry), dueprobe (timings of the due-retry query)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (stack included) to this file")
	flag.StringVar(&c.results, "results", "", "also write the figures to this markdown file (make bench: bench/results.md)")
	flag.Parse()
	if *cpuProfile != "" {
		stop, err := profiling.StartCPU(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/dlq:", err)
			return 1
		}
		defer stop()
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench/dlq:", err)
		return 1
	}
	return 0
}

// bench holds the running stack and clients.
type bench struct {
	stack   *devstack.Stack
	mongo   *mongo.Client
	kafka   *kgo.Client
	brokers []string
}

func run(c config) error {
	ctx := context.Background()
	b, cleanup, err := start(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Printf("DLQ benchmark: embedded stack (FerretDB v1.24.0 SQLite + kfake), in process, GOMAXPROCS=%d, %s\n\n",
		runtime.GOMAXPROCS(0), runtime.Version())
	var rs []result
	if c.has("ingest") {
		ing, err := b.ingest(ctx, c.records)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		rs = append(rs, ing)
	}
	if c.has("retry") {
		ret, err := b.retry(ctx, c)
		if err != nil {
			return fmt.Errorf("retry: %w", err)
		}
		rs = append(rs, ret)
	}
	if c.has("jobs") {
		if err := b.jobs(ctx, c); err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
	}
	if c.has("dueprobe") {
		if err := b.dueProbe(ctx, c.growStored); err != nil {
			return err
		}
	}
	ok := true
	var g *growth
	if c.has("growth") {
		gr, err := b.growthBest(ctx, c.growBatch, c.growStored, c.growRounds)
		if err != nil {
			return fmt.Errorf("growth: %w", err)
		}
		g = &gr
		ok = g.report()
	}
	if len(rs) > 0 && !report(rs) {
		ok = false
	}
	if c.results != "" {
		if err := writeResults(c.results, rs, g); err != nil {
			return err
		}
	}
	if !ok {
		return fmt.Errorf("a bar was missed")
	}
	return nil
}

func (c config) has(phase string) bool {
	for _, p := range strings.Split(c.phases, ",") {
		if strings.TrimSpace(p) == phase {
			return true
		}
	}
	return false
}

func start(ctx context.Context) (*bench, func(), error) {
	dir, err := os.MkdirTemp("", "replayctl-bench-dlq-")
	if err != nil {
		return nil, nil, err
	}
	st, err := devstack.Start(ctx, devstack.Options{
		MongoAddr: "127.0.0.1:0", KafkaAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "mongo"),
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, nil, err
	}
	mc, err := mongo.Connect(options.Client().ApplyURI(st.MongoURI()).SetTimeout(30 * time.Minute))
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	kc, err := kgo.NewClient(kgo.SeedBrokers(st.KafkaBrokers()...), kgo.AllowAutoTopicCreation(),
		kgo.ProducerBatchMaxBytes(4<<20), kgo.MaxBufferedRecords(100000))
	if err != nil {
		_ = mc.Disconnect(ctx)
		_ = st.Close()
		return nil, nil, err
	}
	b := &bench{stack: st, mongo: mc, kafka: kc, brokers: st.KafkaBrokers()}
	return b, func() {
		kc.Close()
		_ = mc.Disconnect(context.Background())
		_ = st.Close()
		_ = os.RemoveAll(dir)
	}, nil
}
