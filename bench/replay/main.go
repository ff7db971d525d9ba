// Command replay benchmarks replayctl's replay engine on the embedded stack
// (FerretDB + kfake, in this process) and checks the bars:
//
//   - the replay's end-to-end rate reaches 0.8 of the slower of a raw sorted
//     cursor read and a raw asynchronous produce of the same events;
//   - it is at least 10 times the platform's own algorithm (one awaited
//     publish and one session-document update per event);
//   - a replay of -rss-events events, run as a process of its own, peaks
//     under 150 MB resident.
//
// See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

// Bars from the issue.
const (
	barRaw      = 0.8
	barPlatform = 10.0
	barRSSMB    = 150.0
)

type config struct {
	events     int // events of the rate comparison
	sample     int // events the platform's algorithm is timed on
	rounds     int // interleaved measurement rounds
	rssEvents  int // events of the peak-RSS run; 0 skips it
	cpuProfile string
	results    string // markdown file the figures are also written to
}

func main() {
	var c config
	var child childArgs
	flag.IntVar(&c.events, "events", 100000, "events seeded for the rate comparison")
	flag.IntVar(&c.sample, "sample", 2000, "events the platform's per-event algorithm is timed on (it is slow; its rate is extrapolated)")
	flag.IntVar(&c.rounds, "rounds", 2, "interleaved rounds of the four rate measurements; the best of each is compared")
	flag.IntVar(&c.rssEvents, "rss-events", 1000000, "events of the peak-memory replay run in its own process; 0 skips it")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the replay phase (for tuning)")
	flag.StringVar(&c.results, "results", "", "also write the figures to this markdown file (make bench: bench/results.md)")
	flag.BoolVar(&child.enabled, "child-replay", false, "internal: run one replay and report peak RSS (used by the benchmark itself)")
	flag.StringVar(&child.mongoURI, "mongo-uri", "", "internal: child's MongoDB")
	flag.StringVar(&child.database, "database", "", "internal: child's database")
	flag.StringVar(&child.brokers, "brokers", "", "internal: child's Kafka brokers")
	flag.StringVar(&child.prefix, "topic-prefix", "", "internal: child's topic prefix")
	flag.StringVar(&child.session, "session", "", "internal: child's session id")
	flag.Parse()
	var err error
	if child.enabled {
		err = runChild(child)
	} else {
		err = run(c)
	}
	switch {
	case errors.Is(err, errBarMissed):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench/replay:", err)
		os.Exit(1)
	}
}

// errBarMissed makes the program exit 2 after the stack is cleaned up.
var errBarMissed = errors.New("a bar was missed")

func run(c config) error {
	ctx := context.Background()
	b, err := start(ctx)
	if err != nil {
		return err
	}
	defer b.close()
	fmt.Printf("embedded stack: MongoDB (FerretDB) %s, Kafka (kfake) %v\n", b.stack.MongoURI(), b.stack.KafkaBrokers())

	res, err := b.rates(ctx, c)
	if err != nil {
		return err
	}
	if err := b.verifyRates(ctx, fmt.Sprintf("rep%d_", res.rounds)); err != nil {
		return err
	}
	var rss *rssResult
	if c.rssEvents > 0 {
		if rss, err = b.peakRSS(ctx, c.rssEvents); err != nil {
			return err
		}
	}
	ok := report(c, res, rss)
	if c.results != "" {
		if err := writeResults(c.results, res, rss); err != nil {
			return err
		}
	}
	if !ok {
		return errBarMissed
	}
	return nil
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
