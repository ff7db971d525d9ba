// Command engine benchmarks the replay engine alone: a session runs through
// internal/replay's real runner, its events served from memory (stored-format
// BSON of the seeded kinds, through replay.EventSource) and sent to kfake in
// this process, beside a raw asynchronous produce of the same events
// pre-encoded, interleaved, best of several rounds. It checks the issue's
// bars: the engine's CPU per event at most 5 µs, and its rate at least half
// the raw produce's. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
)

// Bars from the issue.
const (
	barCPUMicros = 5.0
	barRawRatio  = 0.5
)

type config struct {
	events      int
	seeded      int
	rounds      int
	cpuProfile  string
	traceFile   string
	memProfile  string
	blkProfile  string
	resultsFile string
}

func main() {
	var c config
	var childStore, childKafka bool
	flag.IntVar(&c.events, "events", 200000, "events replayed from memory in every run: the seeded ones, then copies of them with their own ids, later in time")
	flag.IntVar(&c.seeded, "seed", 50000, "distinct events seeded through the embedded server (the dev --seed generator)")
	flag.IntVar(&c.rounds, "rounds", 3, "interleaved rounds of both measurements; the best of each is compared")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of every engine run")
	flag.StringVar(&c.traceFile, "trace", "", "write an execution trace of every engine run (go tool trace FILE.N)")
	flag.StringVar(&c.memProfile, "memprofile", "", "write an allocation profile after the engine runs")
	flag.StringVar(&c.blkProfile, "blockprofile", "", "write a blocking profile (where goroutines wait) after the engine runs")
	flag.StringVar(&c.resultsFile, "results", "", "also write the figures to this markdown file (make bench: bench/results.md)")
	flag.BoolVar(&childStore, "child-store", false, "internal: serve the embedded MongoDB until stdin closes")
	flag.BoolVar(&childKafka, "child-kafka", false, "internal: serve kfake (the calibration broker) until stdin closes")
	flag.Parse()
	var err error
	switch {
	case childStore:
		err = runChildStore()
	case childKafka:
		err = runChildKafka()
	default:
		err = run(context.Background(), c)
	}
	switch {
	case errors.Is(err, errBarMissed):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench/engine:", err)
		os.Exit(1)
	}
}

var errBarMissed = errors.New("a bar was missed")
