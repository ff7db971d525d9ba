package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

// SessionRunner is what the worker needs of the replay engine; *replay.Service
// implements it.
type SessionRunner interface {
	// Runnable lists the sessions to run, and the running documents that
	// could not be read.
	Runnable(ctx context.Context) (store.Page[contract.Session], error)
	Run(ctx context.Context, id string, opts replay.RunOptions) (*replay.Result, error)
}

// DLQProcessor is what the worker needs of the DLQ domain; *dlq.Manager
// implements it.
type DLQProcessor interface {
	Process(ctx context.Context, o dlq.ProcessOptions) (dlq.ProcessStats, error)
}

var (
	_ SessionRunner = (*replay.Service)(nil)
	_ DLQProcessor  = (*dlq.Manager)(nil)
)

// Defaults of Options.
const (
	DefaultConcurrency     = 2
	DefaultPollInterval    = 2 * time.Second
	DefaultShutdownTimeout = 30 * time.Second
	// DefaultMaxBackoff caps the wait between attempts while a server is away.
	DefaultMaxBackoff = 30 * time.Second
	// httpStopTimeout bounds the HTTP server's own shutdown within the
	// overall shutdown timeout: scrapes in progress are short.
	httpStopTimeout = 5 * time.Second
)

// Options tune a Worker; zero values take the defaults.
type Options struct {
	// Concurrency caps the sessions this worker runs at once.
	Concurrency int
	// PollInterval is how often runnable sessions and due DLQ retries are
	// looked for.
	PollInterval time.Duration
	// ShutdownTimeout bounds the drain after ctx is cancelled.
	ShutdownTimeout time.Duration
	MaxBackoff      time.Duration
	// Group is the DLQ consumer group id ("" = the dlq package default).
	Group string
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	return o
}

// Worker supervises the replay runner and the DLQ processor of one process.
type Worker struct {
	// Replay runs sessions; nil turns the replay runner off.
	Replay SessionRunner
	// DLQ processes the DLQ topic; nil turns the DLQ processor off.
	DLQ DLQProcessor
	// Jobs runs DLQ redrive jobs; nil turns them off.
	Jobs JobRunner
	// Server serves health and metrics; nil serves nothing.
	Server *Server
	// Ready is told when shutdown starts, so /readyz turns 503; may be nil.
	Ready *Readiness
	// Metrics counts running sessions; may be nil.
	Metrics *Metrics
	// Logger nil discards.
	Logger *slog.Logger
	Options
}

// ErrShutdownTimeout is returned when work is still running after
// ShutdownTimeout; the process should exit non-zero.
var ErrShutdownTimeout = errors.New("shutdown timed out")

// Run works until ctx is cancelled, then shuts down in order: stop taking
// work and report not ready, wait for every session run to release its
// session and for the DLQ processor to commit, stop the HTTP server. It
// returns nil after a clean drain, an error wrapping ErrShutdownTimeout when
// the drain outlasted ShutdownTimeout, or the HTTP server's error if it
// failed while running (the work is drained first in that case too).
func (w *Worker) Run(ctx context.Context) error {
	if w.Replay == nil && w.DLQ == nil && w.Jobs == nil {
		return errors.New("worker: nothing to run (replay, DLQ and jobs all off)")
	}
	o := w.Options.withDefaults()
	log := w.log()
	serveErr := make(chan error, 1)
	if w.Server != nil {
		if err := w.Server.Listen(); err != nil {
			return err
		}
		log.Info("serving health and metrics", "addr", w.Server.Addr(),
			"endpoints", []string{"/healthz", "/readyz", "/metrics"})
		go func() { serveErr <- w.Server.Serve() }()
	}

	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	sup := &supervisor{w: w, o: o, log: log, active: map[string]time.Time{}}
	done := make(chan struct{})
	var loops sync.WaitGroup
	if w.Replay != nil {
		loops.Go(func() { sup.replayLoop(workCtx) })
	}
	if w.DLQ != nil {
		loops.Go(func() { sup.dlqLoop(workCtx) })
	}
	if w.Jobs != nil {
		loops.Go(func() { sup.jobLoop(workCtx) })
	}
	go func() { loops.Wait(); close(done) }()
	log.Info("worker started", "replay", w.Replay != nil, "dlq", w.DLQ != nil, "jobs", w.Jobs != nil,
		"concurrency", o.Concurrency, "poll_interval", o.PollInterval.String(), "group", o.Group)

	var fatal error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		fatal = err
		log.Error("health and metrics server failed; stopping", "error", err)
	}
	return w.shutdown(sup, stopWork, done, fatal)
}

func (w *Worker) shutdown(sup *supervisor, stopWork context.CancelFunc, done <-chan struct{}, fatal error) error {
	log, o := sup.log, sup.o
	deadline := time.Now().Add(o.ShutdownTimeout)
	log.Info("shutting down: taking no new work, releasing running sessions",
		"timeout", o.ShutdownTimeout.String(), "sessions_running", sup.activeIDs())
	if w.Ready != nil {
		w.Ready.SetStopping()
	}
	stopWork()
	timer := time.NewTimer(o.ShutdownTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		log.Error("shutdown timed out with work still running; its sessions stay running and are taken over once their lease expires",
			"timeout", o.ShutdownTimeout.String(), "sessions_running", sup.activeIDs(), "dlq_processor_running", sup.dlqRunning.Load())
		w.stopServer(time.Now().Add(time.Second))
		return fmt.Errorf("%w after %s: %s", ErrShutdownTimeout, o.ShutdownTimeout, sup.pending())
	}
	w.stopServer(deadline)
	log.Info("worker stopped")
	return fatal
}

func (w *Worker) stopServer(deadline time.Time) {
	if w.Server == nil {
		return
	}
	if limit := time.Now().Add(httpStopTimeout); limit.Before(deadline) {
		deadline = limit
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := w.Server.Shutdown(ctx); err != nil {
		w.log().Warn("stop health and metrics server", "error", err)
	}
}

func (w *Worker) log() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// supervisor is the state of one Run.
type supervisor struct {
	w   *Worker
	o   Options
	log *slog.Logger

	mu     sync.Mutex
	active map[string]time.Time // session id -> when its run here started

	dlqRunning atomic.Bool
}

// pending says what a timed-out shutdown left behind.
func (s *supervisor) pending() string {
	var parts []string
	if ids := s.activeIDs(); len(ids) > 0 {
		parts = append(parts, fmt.Sprintf("sessions still running here: %s", strings.Join(ids, ", ")))
	}
	if s.dlqRunning.Load() {
		parts = append(parts, "the DLQ processor has not returned")
	}
	if len(parts) == 0 {
		return "work still stopping"
	}
	return strings.Join(parts, "; ")
}

func (s *supervisor) activeIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.active))
	for id := range s.active {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
