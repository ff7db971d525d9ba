package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

const rssDB = "bench_replay_rss"

// childArgs are the flags of the child process that runs the measured replay.
type childArgs struct {
	enabled                                      bool
	mongoURI, database, brokers, prefix, session string
}

// childResult is what the child reports on stdout, as JSON.
type childResult struct {
	Outcome    string  `json:"outcome"`
	Replayed   int64   `json:"replayed"`
	Seconds    float64 `json:"seconds"`
	FirstEvent float64 `json:"first_event_seconds"`
	PeakRSSKB  int64   `json:"peak_rss_kb"`
}

type rssResult struct {
	events   int
	seedTook time.Duration
	child    childResult
}

// peakRSS seeds n events in a database of their own, creates and starts a
// session, and has a child process (this binary, -child-replay) run it: the
// embedded servers stay here, so the child's peak resident memory is
// replayctl's alone (EMBEDDED.md: a sorted read of 1M events costs the
// embedded *server* gigabytes).
func (b *bench) peakRSS(ctx context.Context, n int) (*rssResult, error) {
	res := &rssResult{events: n}
	var err error
	fmt.Printf("seeding %d events for the memory run ... ", n)
	if res.seedTook, err = b.seedEvents(ctx, rssDB, n); err != nil {
		return nil, err
	}
	fmt.Printf("%s\n", res.seedTook.Round(time.Millisecond))
	svc := &replay.Service{Store: b.store(rssDB), Owner: "bench-parent"}
	sess, err := svc.Create(ctx, replay.Spec{}, "bench")
	if err != nil {
		return nil, err
	}
	if _, err := svc.Start(ctx, sess.SessionID); err != nil {
		return nil, err
	}
	fmt.Printf("replaying %d events in a child process ... ", n)
	cmd := exec.CommandContext(ctx, os.Args[0], "-child-replay", "-mongo-uri", b.stack.MongoURI(), "-database", rssDB,
		"-brokers", strings.Join(b.stack.KafkaBrokers(), ","), "-topic-prefix", "rss_", "-session", sess.SessionID)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("child replay: %w", err)
	}
	if err := json.Unmarshal(stdout.Bytes(), &res.child); err != nil {
		return nil, fmt.Errorf("child replay output %q: %w", stdout.String(), err)
	}
	fmt.Printf("%s, peak RSS %.1f MB\n", time.Duration(res.child.Seconds*float64(time.Second)).Round(time.Second),
		float64(res.child.PeakRSSKB)/1024)
	return res, nil
}

// runChild runs one replay as the CLI would and prints a childResult.
func runChild(a childArgs) error {
	ctx := context.Background()
	st, err := store.Connect(ctx, store.Options{URI: a.mongoURI, Database: a.database, Timeout: 30 * time.Second})
	if err != nil {
		return err
	}
	defer st.Close()
	cl, err := producerClient(strings.Split(a.brokers, ","))
	if err != nil {
		return err
	}
	defer cl.Close()
	svc := &replay.Service{Store: st, Kafka: cl, TopicPrefix: a.prefix, Owner: replay.NewOwner()}
	start := time.Now()
	var first time.Duration
	res, err := svc.Run(ctx, a.session, replay.RunOptions{Progress: func(p replay.Progress) {
		if first == 0 && p.Replayed > 0 {
			first = time.Since(start)
		}
	}})
	if err != nil {
		return err
	}
	out := childResult{
		Outcome: string(res.Outcome), Replayed: res.Session.ReplayedEvents, Seconds: time.Since(start).Seconds(),
		FirstEvent: first.Seconds(), PeakRSSKB: peakRSSKB(),
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// peakRSSKB is the process's resident high-water mark: VmHWM on Linux,
// getrusage's ru_maxrss elsewhere.
func peakRSSKB() int64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				if err == nil {
					return kb
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		return ru.Maxrss
	}
	return 0
}
