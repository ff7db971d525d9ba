package worker

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/replay"
)

// replayLoop looks for runnable sessions every PollInterval (at once when a
// slot frees up) and runs up to Concurrency of them. It returns when ctx is
// done and every run it started has returned.
func (s *supervisor) replayLoop(ctx context.Context) {
	l := &replayLoop{
		s: s, slots: make(chan struct{}, s.o.Concurrency), freed: make(chan struct{}, 1),
		retryAt: map[string]time.Time{}, fails: map[string]*backoff{},
		bo: backoff{base: s.o.PollInterval, max: s.o.MaxBackoff}, skips: newSkipLog(),
	}
	defer l.runs.Wait()
	wait := time.Duration(0)
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-l.freed:
			t.Stop()
		}
		wait = l.scan(ctx)
	}
}

type replayLoop struct {
	s     *supervisor
	slots chan struct{} // one token per session running here
	freed chan struct{} // a run ended: look again without waiting
	runs  sync.WaitGroup
	bo    backoff // while listing runnable sessions fails
	skips *skipLog

	mu      sync.Mutex
	retryAt map[string]time.Time // sessions whose last run here failed: not before
	fails   map[string]*backoff
}

// scan starts what it can and returns how long to wait before the next scan.
func (l *replayLoop) scan(ctx context.Context) time.Duration {
	if l.s.w.Metrics != nil {
		l.s.w.Metrics.prune(time.Now())
	}
	if len(l.slots) == cap(l.slots) {
		return l.s.o.PollInterval // full: a freed slot wakes us sooner
	}
	page, err := l.s.w.Replay.Runnable(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		d := l.bo.next()
		l.s.log.Warn("cannot list runnable sessions; backing off", "error", err, "retry_in", d.String())
		return d
	}
	if l.bo.failing() {
		l.s.log.Info("listing runnable sessions works again")
		l.bo.reset()
	}
	if m := l.s.w.Metrics; m != nil {
		m.skips.report(l.s.log, m, page.Skipped) // shared with the DLQ processor's reads
	} else {
		l.skips.report(l.s.log, nil, page.Skipped)
	}
	list := page.Items
	l.forgetGone(list)
	// Workers that scan at the same moment would all reach for the same
	// session first; a random order spreads them.
	rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	for i := range list {
		if ctx.Err() != nil || !l.start(ctx, &list[i]) {
			break
		}
	}
	return l.s.o.PollInterval
}

// start runs sess in its own goroutine when a slot is free and the session
// is neither running here nor backing off. It reports false when no slot
// is left.
func (l *replayLoop) start(ctx context.Context, sess *contract.Session) bool {
	id := sess.SessionID
	if l.skip(id) {
		return true
	}
	select {
	case l.slots <- struct{}{}:
	default:
		return false
	}
	l.s.mu.Lock()
	l.s.active[id] = time.Now()
	l.s.mu.Unlock()
	if m := l.s.w.Metrics; m != nil {
		m.runStarted(id)
	}
	l.runs.Go(func() {
		defer l.finished(id)
		l.run(ctx, id)
	})
	return true
}

func (l *replayLoop) skip(id string) bool {
	l.s.mu.Lock()
	_, running := l.s.active[id]
	l.s.mu.Unlock()
	if running {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Now().Before(l.retryAt[id])
}

func (l *replayLoop) finished(id string) {
	l.s.mu.Lock()
	delete(l.s.active, id)
	l.s.mu.Unlock()
	if m := l.s.w.Metrics; m != nil {
		m.runEnded(id, time.Now())
	}
	<-l.slots
	select {
	case l.freed <- struct{}{}:
	default:
	}
}

// run runs one session until it ends or ctx is done, when the engine
// checkpoints and releases it for another worker (ReleaseOnInterrupt).
func (l *replayLoop) run(ctx context.Context, id string) {
	log := l.s.log.With("session_id", id)
	log.Debug("trying to run session")
	start := time.Now()
	res, err := l.s.w.Replay.Run(ctx, id, replay.RunOptions{OnInterrupt: replay.ReleaseOnInterrupt})
	if err != nil {
		l.failed(ctx, id, err, log)
		return
	}
	l.succeeded(id)
	args := []any{"outcome", string(res.Outcome), "took", time.Since(start).Round(time.Millisecond).String()}
	if sess := res.Session; sess != nil {
		args = append(args, "status", string(sess.Status), "replayed", sess.ReplayedEvents,
			"failed", sess.FailedEvents, "skipped", sess.SkippedEvents, "total", sess.TotalEvents)
	}
	if res.Outcome == replay.OutcomeReleased {
		log.Info("session released for another runner", args...)
		return
	}
	log.Info("session run ended", args...)
}

// failed defers the session's next attempt here, growing with each failure,
// so a session that cannot run (or a server that is away) is not retried
// in a tight loop. Losing the race for a session to another runner is
// normal and logged quietly.
func (l *replayLoop) failed(ctx context.Context, id string, err error, log *slog.Logger) {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		log.Debug("session run interrupted before it started", "error", err)
		return
	}
	l.mu.Lock()
	b := l.fails[id]
	if b == nil {
		b = &backoff{base: l.s.o.PollInterval, max: l.s.o.MaxBackoff}
		l.fails[id] = b
	}
	d := b.next()
	l.retryAt[id] = time.Now().Add(d)
	l.mu.Unlock()
	if fault.KindOf(err) == fault.Conflict {
		log.Info("session not run here", "reason", err.Error(), "retry_in", d.String())
		return
	}
	log.Warn("session run failed; it stays running and will be retried", "error", err, "retry_in", d.String())
}

// forgetGone drops the back-off of sessions that are no longer runnable
// (finished, or run elsewhere), so the maps do not grow for ever.
func (l *replayLoop) forgetGone(list []contract.Session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) == 0 {
		return
	}
	runnable := make(map[string]bool, len(list))
	for i := range list {
		runnable[list[i].SessionID] = true
	}
	for id := range l.fails {
		if !runnable[id] {
			delete(l.fails, id)
			delete(l.retryAt, id)
		}
	}
}

func (l *replayLoop) succeeded(id string) {
	l.mu.Lock()
	delete(l.fails, id)
	delete(l.retryAt, id)
	l.mu.Unlock()
}
