package worker

import (
	"cmp"
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the readiness checks.
const (
	// DefaultCheckTimeout bounds each ping: a probe must answer quickly even
	// when a server hangs rather than refuses.
	DefaultCheckTimeout = 2 * time.Second
	// DefaultCheckMaxAge lets frequent probes (and several probers) share one
	// round of pings.
	DefaultCheckMaxAge = time.Second
)

// Check is one dependency /readyz pings, e.g. "mongodb" or "kafka".
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// CheckResult is one dependency's state in the /readyz body.
type CheckResult struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// ReadyReport is the /readyz body; its JSON shape is a stable interface.
type ReadyReport struct {
	Ready bool `json:"ready"`
	// Status is "ready", "not ready" or "shutting down".
	Status    string                 `json:"status"`
	Checks    map[string]CheckResult `json:"checks"`
	CheckedAt time.Time              `json:"checked_at"`
}

// Readiness answers whether the worker can do its work: every check passed
// within the last MaxAge, and the worker is not shutting down.
type Readiness struct {
	Checks  []Check
	Timeout time.Duration
	MaxAge  time.Duration
	Now     func() time.Time

	stopping atomic.Bool
	mu       sync.Mutex
	last     *ReadyReport
}

// NewReadiness returns readiness over checks with the default timings.
func NewReadiness(checks ...Check) *Readiness {
	return &Readiness{Checks: checks, Timeout: DefaultCheckTimeout, MaxAge: DefaultCheckMaxAge, Now: time.Now}
}

// SetStopping makes the worker report not ready from now on: it is taking
// no new work, so load balancers and dashboards should stop counting on it.
func (r *Readiness) SetStopping() { r.stopping.Store(true) }

// Report returns the cached report, pinging again when it is older than
// MaxAge. Concurrent callers wait for one round of pings.
func (r *Readiness) Report(ctx context.Context) ReadyReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	if r.last == nil || now.Sub(r.last.CheckedAt) >= r.MaxAge {
		rep := r.check(ctx, now)
		r.last = &rep
	}
	rep := *r.last
	if r.stopping.Load() {
		rep.Ready, rep.Status = false, "shutting down"
	}
	return rep
}

func (r *Readiness) check(ctx context.Context, now time.Time) ReadyReport {
	results := make([]CheckResult, len(r.Checks))
	var wg sync.WaitGroup
	for i, c := range r.Checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, cmp.Or(r.Timeout, DefaultCheckTimeout))
			defer cancel()
			if err := c.Ping(cctx); err != nil {
				results[i] = CheckResult{Error: err.Error()}
				return
			}
			results[i] = CheckResult{OK: true}
		})
	}
	wg.Wait()
	rep := ReadyReport{Ready: true, Status: "ready", Checks: make(map[string]CheckResult, len(r.Checks)), CheckedAt: now.UTC()}
	for i, c := range r.Checks {
		rep.Checks[c.Name] = results[i]
		if !results[i].OK {
			rep.Ready, rep.Status = false, "not ready"
		}
	}
	return rep
}
