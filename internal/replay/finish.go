package replay

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// finish writes the run's last checkpoint with the status it ended in.
func (r *runner) finish(ctx context.Context) (*Result, error) {
	reason, cause := r.stopped()
	if reason == reasonNone && ctx.Err() != nil {
		reason = reasonInterrupt
	}
	if reason != reasonNone && r.win != nil {
		// Let what is in flight land so the checkpoint covers it.
		dctx, cancel := context.WithTimeout(r.ioCtx, drainGrace)
		_ = r.win.idle(dctx)
		cancel()
	}
	r.sink.abort()
	if reason == reasonLostLease {
		return nil, lostClaim(r.id, cause)
	}
	if lost, why := r.lost(); lost {
		return nil, lostClaim(r.id, why) // the run stopped first for another reason
	}
	// Listed before the lease checks, not between them and the write: the
	// listing may take offsetsTimeout, and the final write must go out on a
	// lease checked just before it.
	endOffsets := r.endOffsetsSet(r.ioCtx)
	if err := r.awaitClaim(ctx); err != nil {
		return nil, err
	}
	if err := r.checkStillHeld(); err != nil {
		return nil, err
	}
	s, off, err := r.snapshot()
	if err != nil {
		return r.failEarly(err)
	}
	status, outcome := r.decide(reason)
	set := r.checkpointSet(s, off, r.limit(s.inFlight(), false))
	set = withSet(set, r.statusSet(status, cause, s))
	set = withSet(set, endOffsets)
	if reason == reasonExternal {
		return r.finishExternal(set)
	}
	if r.svc.beforeFinalWrite != nil {
		r.svc.beforeFinalWrite()
	}
	ctx2, cancel := r.io()
	defer cancel()
	ok, err := r.writeHeld(ctx2, contract.StatusRunning, set)
	if err == nil && !ok && r.adoptedPending(ctx2) {
		ok, err = r.writeHeld(ctx2, contract.StatusRunning, set)
	}
	if err != nil {
		return nil, fmt.Errorf("write the final checkpoint of session %s: %w", r.id, err)
	}
	if !ok {
		return r.finishExternal(r.checkpointSet(s, off, r.limit(s.inFlight(), false)))
	}
	r.dropApplied()
	r.log.Info("run ended", "outcome", string(outcome), "replayed", r.base[0]+s.replayed,
		"failed", r.base[1]+s.failed, "skipped", r.base[2]+s.skipped, "unacknowledged", s.inFlight(),
		"possible_duplicates", r.baseDups+r.dups.counted.Load())
	return r.report(outcome)
}

// awaitClaim waits, before the final write, until a lapsed claim is
// confirmed again or the renewer gives the session up. An interrupted run
// does not wait: it writes if it can and otherwise leaves the session to
// the next runner.
func (r *runner) awaitClaim(ctx context.Context) error {
	if lost, why := r.lost(); lost {
		return lostClaim(r.id, why)
	}
	if r.h.valid() || ctx.Err() != nil {
		return nil
	}
	r.log.Info("the run is done; waiting for MongoDB to confirm the claim before the final write")
	tick := time.NewTicker(tickInterval)
	defer tick.Stop()
	for !r.h.valid() {
		if reason, cause := r.stopped(); reason == reasonLostLease {
			return lostClaim(r.id, cause)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.gaveUp:
			return lostClaim(r.id, r.lostTo)
		case <-tick.C:
		}
	}
	return nil
}

// adoptedPending reports whether the session records the epoch whose
// recording went unanswered, which is then the one we write with.
func (r *runner) adoptedPending(ctx context.Context) bool {
	if r.pending.Load() == 0 {
		return false
	}
	cur, err := r.sessions().Get(ctx, r.id)
	before := r.epoch.Load()
	return err == nil && r.holds(cur) && r.epoch.Load() != before
}

// checkStillHeld refuses the final write when the claim lapsed or moved on.
func (r *runner) checkStillHeld() error {
	lost := !r.h.valid()
	if !lost {
		ctx, cancel := r.io()
		defer cancel()
		ok, err := r.h.current(ctx)
		if err != nil {
			return err
		}
		lost = !ok
	}
	if lost {
		return lostClaim(r.id, nil)
	}
	return nil
}

func (r *runner) decide(reason stopReason) (contract.SessionStatus, Outcome) {
	switch reason {
	case reasonNone:
		return contract.StatusCompleted, OutcomeCompleted
	case reasonFailFast, reasonFatal:
		return contract.StatusFailed, OutcomeFailed
	case reasonPause:
		return contract.StatusPaused, OutcomePaused
	case reasonCancel:
		return contract.StatusCancelled, OutcomeCancelled
	case reasonInterrupt:
		if r.opts.OnInterrupt == PauseOnInterrupt {
			return contract.StatusPaused, OutcomePaused
		}
	}
	return contract.StatusRunning, OutcomeReleased
}

// statusSet is the part of the final write that changes the status.
func (r *runner) statusSet(status contract.SessionStatus, cause error, s snap) bson.D {
	if status == contract.StatusRunning {
		return nil
	}
	var action contract.Action
	switch status {
	case contract.StatusCompleted:
		action = contract.ActionComplete
	case contract.StatusFailed:
		action = contract.ActionFail
	case contract.StatusPaused:
		action = contract.ActionPause
	default:
		action = contract.ActionCancel
	}
	if _, err := contract.Transition(contract.StatusRunning, action); err != nil {
		return nil // the lifecycle forbids it: leave the status alone
	}
	set := bson.D{{Key: "status", Value: status}}
	now := r.svc.now().Truncate(time.Millisecond)
	if status.Terminal() {
		set = append(set, bson.E{Key: "completed_at", Value: now})
	}
	if status == contract.StatusCompleted {
		// Events may have appeared or expired since the count.
		set = append(set, bson.E{Key: "total_events", Value: r.processedAtStart() + s.committed})
	}
	if status == contract.StatusFailed && cause != nil {
		set = append(set, bson.E{Key: "error", Value: cause.Error()})
	}
	return set
}

// finishExternal handles a status another writer set under us (e.g. the
// platform's admin API): keep its status, add our counters.
func (r *runner) finishExternal(counters bson.D) (*Result, error) {
	ctx, cancel := r.io()
	defer cancel()
	cur, err := r.sessions().Get(ctx, r.id)
	if err != nil {
		return nil, err
	}
	if !r.holds(cur) {
		return nil, lostClaim(r.id, errTakenOver) // the session is a later runner's: leave it alone
	}
	var only bson.D
	for _, e := range counters {
		if e.Key != "status" && e.Key != "completed_at" && e.Key != "error" {
			only = append(only, e)
		}
	}
	if _, err := r.writeHeld(ctx, cur.Status, only); err != nil {
		return nil, err
	}
	r.log.Info("run ended: the session's status was changed elsewhere", "status", string(cur.Status))
	o := Outcome(cur.Status)
	if cur.Status == contract.StatusRunning {
		o = OutcomeReleased
	}
	return r.report(o)
}

func (r *runner) dropApplied() {
	r.mu.Lock()
	ids := r.applied
	r.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := r.io()
	defer cancel()
	if err := r.svc.Store.Requests().Delete(ctx, ids...); err != nil {
		r.log.Warn("delete applied requests", "error", err)
	}
}

// report reloads the session and gives the caller a last progress call.
func (r *runner) report(o Outcome) (*Result, error) {
	res, err := r.result(o)
	if err != nil {
		return nil, err
	}
	r.flushMetrics()
	if r.opts.Progress != nil {
		sess := res.Session
		r.opts.Progress(Progress{
			SessionID: r.id, Status: sess.Status, Total: sess.TotalEvents,
			Replayed: sess.ReplayedEvents, Failed: sess.FailedEvents, Skipped: sess.SkippedEvents,
			Rate: r.rate.perSecond(),
		})
	}
	return res, nil
}

// withSet merges more into set, later keys replacing earlier ones: a $set
// may not name a path twice.
func withSet(set, more bson.D) bson.D {
	for _, e := range more {
		replaced := false
		for i := range set {
			if set[i].Key == e.Key {
				set[i].Value, replaced = e.Value, true
			}
		}
		if !replaced {
			set = append(set, e)
		}
	}
	return set
}
