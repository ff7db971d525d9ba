package replay

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
)

// startController runs the goroutine that polls requests, writes
// checkpoints and reports progress while the reader streams (the renewer
// keeps the claim on its own schedule). The returned func stops it and waits.
func (r *runner) startController() func() {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		r.controlLoop(quit)
	}()
	return func() {
		close(quit)
		<-done
	}
}

func (r *runner) controlLoop(quit <-chan struct{}) {
	tick := time.NewTicker(tickInterval)
	defer tick.Stop()
	start := time.Now()
	lastReq := start
	r.lastCkpt = start
	for {
		select {
		case <-quit:
			return
		case <-r.ckptNow:
			r.checkpoint()
			continue
		case <-tick.C:
		}
		now := time.Now()
		r.reportProgress(now)
		r.watchStall(now)
		if !r.h.valid() {
			continue // MongoDB is away: the renewer decides, and the gate holds the reader
		}
		if now.Sub(lastReq) >= requestPoll {
			lastReq = now
			r.pollRequests()
		}
		if now.Sub(r.lastCkpt) >= checkpointInterval {
			r.checkpoint()
		}
	}
}

// stallWarn is how long in-flight events may go unacknowledged before the
// run says so: franz-go retries an outage silently.
const stallWarn = 10 * time.Second

// watchStall logs, every stallWarn, that Kafka acknowledges nothing.
func (r *runner) watchStall(now time.Time) {
	c := r.tr.peek()
	if c.committed != r.stall.committed || c.sent == c.committed {
		r.stall.committed, r.stall.since = c.committed, now
		return
	}
	if now.Sub(r.stall.since) >= stallWarn {
		r.log.Warn("Kafka has acknowledged nothing for a while; the producer keeps retrying",
			"waiting", now.Sub(r.stall.since).Round(time.Second), "in_flight", c.sent-c.committed)
		r.stall.since = now
	}
}

func (r *runner) io() (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.ioCtx, ioTimeout)
}

// pollRequests applies pause and cancel requests; cancel wins over pause.
func (r *runner) pollRequests() {
	ctx, cancel := r.io()
	defer cancel()
	reqs, err := r.svc.Store.Requests().Pending(ctx, r.id)
	if err != nil {
		r.log.Warn("read requests", "error", err)
		return
	}
	var pause, cancels []string
	for _, q := range reqs {
		switch contract.Action(q.Action) {
		case contract.ActionPause:
			pause = append(pause, q.ID)
		case contract.ActionCancel:
			cancels = append(cancels, q.ID)
		}
	}
	switch {
	case len(cancels) > 0:
		r.setApplied(append(cancels, pause...))
		r.stop(reasonCancel, nil)
	case len(pause) > 0:
		r.setApplied(pause)
		r.stop(reasonPause, nil)
	}
}

func (r *runner) setApplied(ids []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reason == reasonNone {
		r.applied = ids
	}
}

// checkpoint writes the counters and the low-water position, provided the
// claim is still ours and the session still running. The write itself is
// fenced: it matches only while the session records our epoch.
func (r *runner) checkpoint() {
	r.lastCkpt = time.Now()
	if reason, _ := r.stopped(); reason != reasonNone {
		return // the finisher writes the last checkpoint
	}
	if !r.h.valid() {
		return // unconfirmed: the renewer retakes the claim or stops the run
	}
	ctx, cancel := r.io()
	defer cancel()
	s, off, err := r.snapshot()
	if err != nil {
		r.stop(reasonFatal, err)
		return
	}
	r.reserve = nextReserve(s.sent-r.prevSent, r.reserve)
	set := r.checkpointSet(s, off, r.limit(s.inFlight(), true))
	ok, err := r.writeHeld(ctx, contract.StatusRunning, set)
	if err != nil {
		r.log.Warn("write checkpoint", "error", err)
		return
	}
	if !ok {
		r.stopRefused(ctx)
		return
	}
	r.ckptSent.Store(s.sent)
	r.windows.checkpointed(s.last)
	r.prevSent = s.sent
	r.gate.raise(s.sent + r.reserve)
	r.log.Debug("checkpoint", "replayed", r.base[0]+s.replayed, "failed", r.base[1]+s.failed,
		"skipped", r.base[2]+s.skipped, "in_flight", s.inFlight())
}

// nextReserve is the reservation a checkpoint writes, given how many events
// were sent since the previous one and the reservation it wrote: twice the
// interval's events, or four times when the reader used the whole
// reservation (it was held at the gate, so the interval shows only what
// the gate let through, not how fast it reads). A fast replay thus reaches
// its cruising reservation in half the checkpoint writes; the stored
// in_flight_limit is always the reservation actually in force.
func nextReserve(sentSince, reserve int64) int64 {
	grow := int64(2)
	if sentSince >= reserve {
		grow = 4
	}
	return min(max(grow*sentSince, minReserve), maxReserve)
}

// stopRefused stops the run after a checkpoint matched nothing.
func (r *runner) stopRefused(ctx context.Context) {
	err := r.refused(ctx)
	var lost *LostClaimError
	switch {
	case errors.As(err, &lost):
		r.stop(reasonLostLease, errTakenOver)
	case err != nil && fault.KindOf(err) == fault.Conflict:
		r.stop(reasonExternal, errors.New("the session's status was changed by another writer"))
	default:
		r.log.Warn("checkpoint refused; will look again", "error", err)
	}
}

// snapshot syncs the target and takes the tracker's state at one instant.
func (r *runner) snapshot() (snap, int64, error) {
	var s snap
	off, err := r.sink.sync(func() { s = r.tr.snapshot() })
	r.errs = appendErrs(r.errs, s.newErrs)
	return s, off, err
}

// checkpointSet is the $set of one checkpoint: never the whole document,
// so fields the platform or a newer replayctl added survive.
func (r *runner) checkpointSet(s snap, off, limit int64) bson.D {
	now := r.svc.now().Truncate(time.Millisecond)
	set := bson.D{
		{Key: "replayed_events", Value: r.base[0] + s.replayed},
		{Key: "failed_events", Value: r.base[1] + s.failed},
		{Key: "skipped_events", Value: r.base[2] + s.skipped},
		{Key: "errors", Value: r.errs},
		{Key: "replayctl.checkpointed_at", Value: now},
		{Key: "replayctl.in_flight_limit", Value: limit},
		{Key: "replayctl.possible_duplicates", Value: r.baseDups + r.dups.counted.Load()},
	}
	if s.last.dated() {
		set = append(set, bson.E{Key: "last_event_at", Value: s.last.ts})
	}
	if s.last.ok {
		set = append(set, bson.E{Key: "replayctl.checkpoint", Value: s.last.checkpoint()})
	}
	if t := r.total.Load(); t >= 0 {
		set = append(set, bson.E{Key: "total_events", Value: t})
	}
	if r.fileTarget {
		set = append(set, bson.E{Key: "replayctl.file_offset", Value: off})
	}
	return append(set, r.windows.set()...)
}

// reportProgress calls the progress hook and flushes metrics.
func (r *runner) reportProgress(now time.Time) {
	p := r.progress(contract.StatusRunning)
	r.rate.add(now, p.Replayed+p.Failed+p.Skipped)
	p.Rate = r.rate.perSecond()
	if r.opts.Progress != nil {
		r.opts.Progress(p)
	}
	r.flushMetrics()
}

func (r *runner) progress(status contract.SessionStatus) Progress {
	c := r.tr.peek()
	total := max(r.total.Load(), 0)
	return Progress{
		SessionID: r.id, Status: status, Total: total,
		Replayed: r.base[0] + c.replayed, Failed: r.base[1] + c.failed, Skipped: r.base[2] + c.skipped,
		InFlight: c.sent - c.committed,
	}
}

func (r *runner) flushMetrics() {
	m := r.svc.Metrics
	if m == nil {
		return
	}
	counts := newTypeCounts()
	r.tr.takeCounts(counts)
	if !counts.empty() {
		counts.flush(m, r.id)
	}
	if last := r.tr.peek().last; last.dated() {
		m.Lag(r.id, r.svc.now().Sub(last.ts))
	}
}

// rateMeter is events per second over a sliding window of samples.
type rateMeter struct {
	at []time.Time
	n  []int64
}

const rateWindow = 30 // samples, one per tick: three seconds

func (m *rateMeter) add(now time.Time, n int64) {
	m.at = append(m.at, now)
	m.n = append(m.n, n)
	if len(m.at) > rateWindow {
		m.at, m.n = m.at[1:], m.n[1:]
	}
}

func (m *rateMeter) perSecond() float64 {
	if len(m.at) < 2 {
		return 0
	}
	dt := m.at[len(m.at)-1].Sub(m.at[0]).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(m.n[len(m.n)-1]-m.n[0]) / dt
}
