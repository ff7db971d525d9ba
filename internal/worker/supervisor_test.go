package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/fault"
)

func fastOptions() Options {
	return Options{Concurrency: 2, PollInterval: 10 * time.Millisecond, ShutdownTimeout: 5 * time.Second, MaxBackoff: 50 * time.Millisecond, Group: "g"}
}

// runWorker starts w.Run in the background; the returned function cancels
// its context and returns Run's error.
func runWorker(t *testing.T, w *Worker) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	var stopped bool
	var result error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case result = <-errc:
			case <-time.After(20 * time.Second):
				t.Fatal("Worker.Run did not return")
			}
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestConcurrencyCapIsHonoured(t *testing.T) {
	r := newFakeRunner("s1", "s2", "s3", "s4", "s5")
	m := NewMetrics()
	w := &Worker{Replay: r, Metrics: m, Options: fastOptions()}
	stop := runWorker(t, w)

	waitFor(t, 20*time.Second, func() bool { n, _, _ := r.stats(); return n >= 2 }, "two sessions running")
	if v, _ := value(t, m.Registry(), "replayctl_worker_sessions_running", nil); v != 2 {
		t.Fatalf("replayctl_worker_sessions_running = %v, want 2", v)
	}
	if err := stop(); err != nil {
		t.Fatalf("clean shutdown returned %v", err)
	}
	// Shutdown waits for every run the worker started, so every start it
	// ever made (in the scan that filled the slots, or any later one) is
	// counted now: no window of polls to sleep through.
	if _, maxRunning, runs := r.stats(); maxRunning != 2 || len(runs) != 2 {
		t.Fatalf("max sessions running at once = %d, sessions ever started = %v; want 2 and 2", maxRunning, runs)
	}
	if len(r.interrupted) != 2 {
		t.Fatalf("want both running sessions released on shutdown, got %v", r.interrupted)
	}
	if v, _ := value(t, m.Registry(), "replayctl_worker_sessions_running", nil); v != 0 {
		t.Fatalf("replayctl_worker_sessions_running after shutdown = %v, want 0", v)
	}
}

func TestEverySessionRunsOnceWithinTheCap(t *testing.T) {
	r := newFakeRunner("s1", "s2", "s3", "s4", "s5")
	close(r.complete) // runs complete at once and leave the runnable list
	w := &Worker{Replay: r, Options: fastOptions()}
	stop := runWorker(t, w)
	waitFor(t, 20*time.Second, func() bool {
		_, _, runs := r.stats()
		return len(runs) == 5
	}, "all five sessions run")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	_, maxRunning, runs := r.stats()
	if maxRunning > 2 {
		t.Fatalf("max running = %d, cap is 2", maxRunning)
	}
	for id, n := range runs {
		if n != 1 {
			t.Errorf("session %s run %d times, want once", id, n)
		}
	}
}

func TestShutdownOrder(t *testing.T) {
	events := &eventLog{}
	r := newFakeRunner("s1")
	r.events = events
	d := &fakeDLQ{events: events}
	ready := NewReadiness(Check{Name: "mongodb", Ping: func(context.Context) error { return nil }})
	ready.MaxAge = 0
	srv := NewServer("127.0.0.1:0", ready, NewMetrics().Registry(), nil)
	w := &Worker{Replay: r, DLQ: d, Server: srv, Ready: ready, Options: fastOptions()}
	stop := runWorker(t, w)

	waitFor(t, 20*time.Second, func() bool { n, _, _ := r.stats(); return n == 1 && d.callCount() == 1 }, "session and DLQ processor running")
	base := "http://" + srv.Addr()
	if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz while working = %d, want 200", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	got := events.list()
	if len(got) != 2 || !contains(got, "run released s1") || !contains(got, "dlq committed") {
		t.Fatalf("want the session released and the DLQ processor committed, got %v", got)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("HTTP server still answering after Run returned")
	}
}

func TestHTTPStaysUpAndNotReadyWhileDraining(t *testing.T) {
	r := newFakeRunner("s1")
	r.ignoreCtx = make(chan struct{}) // the run takes its time to release
	ready := NewReadiness(Check{Name: "mongodb", Ping: func(context.Context) error { return nil }})
	srv := NewServer("127.0.0.1:0", ready, NewMetrics().Registry(), nil)
	w := &Worker{Replay: r, Server: srv, Ready: ready, Options: fastOptions()}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	waitFor(t, 20*time.Second, func() bool { n, _, _ := r.stats(); return n == 1 }, "session running")

	cancel()
	base := "http://" + srv.Addr()
	waitFor(t, 20*time.Second, func() bool { code, _ := get(t, base+"/readyz"); return code == http.StatusServiceUnavailable }, "/readyz 503 while draining")
	if code, body := get(t, base+"/readyz"); !strings.Contains(body, `"shutting down"`) {
		t.Fatalf("/readyz while draining = %d %s", code, body)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz while draining = %d, want 200", code)
	}
	select {
	case err := <-errc:
		t.Fatalf("Run returned %v before its session was released", err)
	default:
	}
	close(r.ignoreCtx)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestShutdownTimeout(t *testing.T) {
	r := newFakeRunner("stuck")
	r.ignoreCtx = make(chan struct{})
	defer close(r.ignoreCtx)
	o := fastOptions()
	o.ShutdownTimeout = 100 * time.Millisecond
	w := &Worker{Replay: r, Options: o}
	stop := runWorker(t, w)
	waitFor(t, 20*time.Second, func() bool { n, _, _ := r.stats(); return n == 1 }, "session running")
	start := time.Now()
	err := stop()
	if !errors.Is(err, ErrShutdownTimeout) || !strings.Contains(err.Error(), "stuck") {
		t.Fatalf("want ErrShutdownTimeout naming the session, got %v", err)
	}
	if took := time.Since(start); took > 10*time.Second { // far above the timeout, far below "ignored it"
		t.Fatalf("shutdown took %s with a 100ms timeout", took)
	}
}

func TestListingFailuresBackOffAndRecover(t *testing.T) {
	r := newFakeRunner("s1")
	r.listErrs = 3
	w := &Worker{Replay: r, Options: fastOptions()}
	runWorker(t, w)
	waitFor(t, 20*time.Second, func() bool { n, _, _ := r.stats(); return n == 1 }, "session runs once listing works again")
}

func TestFailingSessionIsRetriedWithBackoff(t *testing.T) {
	r := newFakeRunner("bad", "good")
	r.runErr["bad"] = fault.Conflictf("session bad writes to stdout")
	o := fastOptions()
	o.MaxBackoff = time.Second
	w := &Worker{Replay: r, Options: o}
	stop := runWorker(t, w)
	waitFor(t, 20*time.Second, func() bool { n, _, _ := r.stats(); return n == 1 }, "the good session runs")
	// A window of 30 scans, each of which lists the bad session as runnable.
	const scans = 30
	from := r.lists()
	waitFor(t, 30*time.Second, func() bool { return r.lists() >= from+scans }, "30 more scans")
	_ = stop()
	_, _, runs := r.stats()
	// Without back-off every scan would attempt it (30). With it (10ms,
	// 20ms, 40ms, ... +/-10%), 30 scans of 10ms fit about 5 attempts; scans
	// slowed down by a busy machine fit a few more, never half of them.
	if runs["bad"] < 2 || runs["bad"] > scans/2 {
		t.Fatalf("failing session attempted %d times in %d scans, want a few (back-off)", runs["bad"], scans)
	}
}

func TestDLQProcessorRestartsAfterFailure(t *testing.T) {
	d := &fakeDLQ{errs: []error{fmt.Errorf("kafka away"), fmt.Errorf("still away")}}
	w := &Worker{DLQ: d, Options: fastOptions()}
	w.MaxBackoff = 20 * time.Millisecond
	stop := runWorker(t, w)
	waitFor(t, 20*time.Second, func() bool { return d.callCount() == 3 }, "processor restarted twice")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, c := range d.calls {
		if c.Group != "g" || c.PollInterval != 10*time.Millisecond || c.Once {
			t.Fatalf("processor called with %+v", c)
		}
	}
}

func TestNothingToRun(t *testing.T) {
	if err := (&Worker{}).Run(context.Background()); err == nil {
		t.Fatal("a worker with replay and DLQ off must refuse to run")
	}
}

func TestListenFailureIsReturnedBeforeWork(t *testing.T) {
	first := NewServer("127.0.0.1:0", NewReadiness(), NewMetrics().Registry(), nil)
	if err := first.Listen(); err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown(context.Background())
	go first.Serve()
	r := newFakeRunner("s1")
	w := &Worker{Replay: r, Server: NewServer(first.Addr(), NewReadiness(), NewMetrics().Registry(), nil), Options: fastOptions()}
	err := w.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), first.Addr()) {
		t.Fatalf("want a listen error naming the address, got %v", err)
	}
	if _, _, runs := r.stats(); len(runs) != 0 {
		t.Fatal("work started although the server could not listen")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestShutdownTimeoutNamesAStuckDLQProcessor(t *testing.T) {
	d := &stuckDLQ{release: make(chan struct{})}
	defer close(d.release)
	o := fastOptions()
	o.ShutdownTimeout = 100 * time.Millisecond
	stop := runWorker(t, &Worker{DLQ: d, Options: o})
	waitFor(t, 20*time.Second, func() bool { return d.started.Load() }, "processor running")
	err := stop()
	if !errors.Is(err, ErrShutdownTimeout) || !strings.Contains(err.Error(), "DLQ processor") {
		t.Fatalf("want a timeout naming the DLQ processor, got %v", err)
	}
}

// stuckDLQ ignores cancellation until released, like a processor blocked
// on a server that does not answer.
type stuckDLQ struct {
	started atomic.Bool
	release chan struct{}
}

func (s *stuckDLQ) Process(context.Context, dlq.ProcessOptions) (dlq.ProcessStats, error) {
	s.started.Store(true)
	<-s.release
	return dlq.ProcessStats{}, nil
}
