package worker

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

// value returns the value of the series name{labels} in g, and whether it exists.
func value(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if matches(m, labels) {
				switch {
				case m.Counter != nil:
					return m.Counter.GetValue(), true
				case m.Gauge != nil:
					return m.Gauge.GetValue(), true
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount()), true
				}
			}
		}
	}
	return 0, false
}

func matches(m *dto.Metric, labels map[string]string) bool {
	have := map[string]string{}
	for _, lp := range m.GetLabel() {
		have[lp.GetName()] = lp.GetValue()
	}
	return maps.Equal(have, labels)
}

// waitFor polls cond until it holds or fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not true within %s: %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fakeRunner is an in-memory SessionRunner. Sessions stay runnable until a
// run of them completes; Run blocks until release is closed or the run's
// context ends, then reports released (ctx) or completed.
type fakeRunner struct {
	mu          sync.Mutex
	runnable    []string
	runs        map[string]int
	running     int
	maxRunning  int
	listErrs    int // fail this many Runnable calls first
	listCalls   int
	runErr      map[string]error
	complete    chan struct{} // closed: runs complete instead of waiting for ctx
	ignoreCtx   chan struct{} // non-nil: runs wait for this, whatever ctx does
	interrupted []string
	events      *eventLog
}

func newFakeRunner(ids ...string) *fakeRunner {
	return &fakeRunner{runnable: ids, runs: map[string]int{}, runErr: map[string]error{}, complete: make(chan struct{})}
}

func (f *fakeRunner) Runnable(ctx context.Context) (store.Page[contract.Session], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCalls++
	if f.listErrs > 0 {
		f.listErrs--
		return store.Page[contract.Session]{}, fmt.Errorf("MongoDB unreachable")
	}
	out := make([]contract.Session, 0, len(f.runnable))
	for _, id := range f.runnable {
		out = append(out, contract.Session{SessionID: id, Status: contract.StatusRunning})
	}
	return store.Page[contract.Session]{Items: out, Total: int64(len(out))}, nil
}

func (f *fakeRunner) Run(ctx context.Context, id string, opts replay.RunOptions) (*replay.Result, error) {
	f.mu.Lock()
	// Like replay.Service.Run, refuse a session that has already ended: a
	// listing taken just before it completed may still name it.
	if !slices.Contains(f.runnable, id) {
		f.mu.Unlock()
		return nil, fmt.Errorf("session %s is not runnable", id)
	}
	f.runs[id]++
	if err := f.runErr[id]; err != nil {
		f.mu.Unlock()
		return nil, err
	}
	if opts.OnInterrupt != replay.ReleaseOnInterrupt {
		f.mu.Unlock()
		return nil, fmt.Errorf("worker must release on interrupt")
	}
	f.running++
	f.maxRunning = max(f.maxRunning, f.running)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running--
		f.mu.Unlock()
	}()
	if f.ignoreCtx != nil {
		<-f.ignoreCtx
		return &replay.Result{Outcome: replay.OutcomeReleased}, nil
	}
	select {
	case <-f.complete:
		f.mu.Lock()
		f.removeLocked(id)
		f.mu.Unlock()
		return &replay.Result{Outcome: replay.OutcomeCompleted, Session: &contract.Session{SessionID: id, Status: contract.StatusCompleted}}, nil
	case <-ctx.Done():
		f.events.add("run released " + id)
		f.mu.Lock()
		f.interrupted = append(f.interrupted, id)
		f.mu.Unlock()
		return &replay.Result{Outcome: replay.OutcomeReleased}, nil
	}
}

func (f *fakeRunner) removeLocked(id string) {
	for i, r := range f.runnable {
		if r == id {
			f.runnable = append(f.runnable[:i], f.runnable[i+1:]...)
			return
		}
	}
}

// lists counts the Runnable calls: one per scan that had a free slot.
func (f *fakeRunner) lists() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listCalls
}

func (f *fakeRunner) stats() (running, maxRunning int, runs map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	runs = map[string]int{}
	for k, v := range f.runs {
		runs[k] = v
	}
	return f.running, f.maxRunning, runs
}

// fakeDLQ is an in-memory DLQProcessor: each call fails with the next error
// of errs, or, when they are used up, runs until ctx is done.
type fakeDLQ struct {
	mu     sync.Mutex
	calls  []dlq.ProcessOptions
	errs   []error
	events *eventLog
}

func (f *fakeDLQ) Process(ctx context.Context, o dlq.ProcessOptions) (dlq.ProcessStats, error) {
	f.mu.Lock()
	f.calls = append(f.calls, o)
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		f.mu.Unlock()
		return dlq.ProcessStats{}, err
	}
	f.mu.Unlock()
	<-ctx.Done()
	f.events.add("dlq committed")
	return dlq.ProcessStats{Received: 1}, nil
}

func (f *fakeDLQ) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// eventLog records the order things happened in; nil-safe.
type eventLog struct {
	mu  sync.Mutex
	evs []string
}

func (e *eventLog) add(s string) {
	if e == nil {
		return
	}
	e.mu.Lock()
	e.evs = append(e.evs, s)
	e.mu.Unlock()
}

func (e *eventLog) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.evs...)
}
