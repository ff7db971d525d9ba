package replay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// startRenewer keeps the claim alive on a schedule of its own, so that no
// request poll or checkpoint stuck in an outage delays a renewal. The
// returned func stops it and waits.
func (r *runner) startRenewer() func() {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		r.renewLoop(quit)
	}()
	return func() {
		close(quit)
		<-done
	}
}

func (r *runner) renewLoop(quit <-chan struct{}) {
	t := time.NewTimer(r.h.renewEvery())
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		next, done := r.keepClaim()
		if done {
			return
		}
		t.Reset(next)
	}
}

// keepClaim renews the claim, or takes the session again once the claim
// lapsed, and says when to try next; done means the run lost the session.
func (r *runner) keepClaim() (next time.Duration, done bool) {
	if reason, _ := r.stopped(); reason == reasonLostLease {
		return 0, true
	}
	if !r.h.valid() {
		if !r.lapsed.Swap(true) {
			r.log.Warn("the claim could not be renewed in time; sending is paused until MongoDB confirms it",
				"epoch", r.h.epoch())
		}
		return r.retake()
	}
	ctx, cancel := context.WithTimeout(r.ioCtx, r.h.callTimeout())
	defer cancel()
	ok, err := r.h.renew(ctx)
	switch {
	case err != nil:
		r.log.Warn("renew claim", "error", err)
		return retryPause, false
	case !ok: // expired by the store's record, or removed: decide as after a lapse
		return r.retake()
	}
	r.lapsed.Store(false)
	r.gate.notify()
	return r.h.renewEvery(), false
}

// retakeTimeout bounds one attempt to take the session back. The claim has
// lapsed already, so no deadline is at stake, and a short bound (a 3-s test
// TTL's margin is 0.6 s) could fail every attempt on a loaded server.
const retakeTimeout = 5 * time.Second

// retake runs one attempt to get the session back after a lapse.
func (r *runner) retake() (time.Duration, bool) {
	ctx, cancel := context.WithTimeout(r.ioCtx, max(r.h.margin(), retakeTimeout))
	defer cancel()
	err := r.reclaim(ctx)
	var lost *lostError
	switch {
	case errors.As(err, &lost):
		r.stop(lost.reason, lost.cause)
		return 0, true
	case err != nil:
		r.log.Debug("take the session again", "error", err)
		return retryPause, false
	}
	r.lapsed.Store(false)
	r.gate.notify()
	return r.h.renewEvery(), false
}

// lostError is a lapse after which this runner must not go on.
type lostError struct {
	reason stopReason
	cause  error
}

func (e *lostError) Error() string { return e.cause.Error() }

var errRetryLater = errors.New("a short-lived claim holds the session; trying again")

// reclaim takes the session again after our claim lapsed, provided nobody
// else holds it now or wrote it meanwhile. A live run claim of a later
// epoch, or a session whose recorded epoch is no longer ours, is a
// takeover (*lostError). Otherwise: our own claim if it is still
// unexpired, else a new epoch (a unique insert, as acquire does) that the
// session then records, with the events sent since the last checkpoint
// counted as possible duplicates.
func (r *runner) reclaim(ctx context.Context) error {
	mine := r.h.claim()
	latest, err := r.svc.Store.Leases().Latest(ctx, r.id)
	if err != nil {
		return err
	}
	if latest != nil && latest.Epoch > mine.Epoch && isLive(latest, r.svc.now()) {
		if latest.Purpose == purposeRun {
			return &lostError{reasonLostLease, fmt.Errorf("another runner (%s, epoch %d) took the session over", latest.Owner, latest.Epoch)}
		}
		return errRetryLater
	}
	if latest == nil || latest.Epoch == mine.Epoch {
		if ok, err := r.h.renew(ctx); err != nil || ok {
			return err // renewed before anyone could take it: nothing changed
		}
	} else if err := r.stillOurs(ctx); err != nil {
		return err // a later claim came and went: did it write the session?
	}
	doc, err := r.svc.insertClaim(ctx, r.id, purposeRun, r.h.ttl, latest)
	if err != nil {
		return err
	}
	return r.recordEpoch(ctx, doc)
}

// stillOurs reports a *lostError when the session no longer records our
// epoch, or no longer runs, before we claim it again.
func (r *runner) stillOurs(ctx context.Context) error {
	sess, err := r.svc.Store.Sessions.Get(ctx, r.id)
	if err != nil {
		return err
	}
	if sess.Replayctl == nil || sess.Replayctl.Epoch != r.epoch.Load() {
		return &lostError{reasonLostLease, errTakenOver}
	}
	if sess.Status != contract.StatusRunning {
		return &lostError{reasonLostLease, fmt.Errorf("the session became %s while this runner's claim had lapsed", sess.Status)}
	}
	return nil
}

// recordEpoch moves the session from our old epoch to the new claim's.
// When the answer is lost the claim is ours all the same and the session
// still names our old epoch, which checkpoints go on using: any other
// runner needs a later epoch than the new claim and records it there.
func (r *runner) recordEpoch(ctx context.Context, doc store.LeaseDoc) error {
	old := r.epoch.Load()
	window := max(r.tr.sentCount()-r.ckptSent.Load(), 0)
	set := bson.D{{Key: store.EpochField, Value: doc.Epoch}}
	ok, err := r.svc.Store.Sessions.UpdateIfHeld(ctx, r.id, contract.StatusRunning, old, set)
	if err == nil && !ok {
		if lerr := r.takenOver(ctx, doc, old); lerr != nil {
			return lerr
		}
	}
	r.h.switchTo(doc)
	if ok {
		r.epoch.Store(doc.Epoch)
	}
	if r.resendable {
		r.dups.counted.Add(window)
	}
	r.log.Warn("took the session again after the claim lapsed", "epoch", doc.Epoch, "previous_epoch", old,
		"possible_duplicates_added", window)
	return nil
}

// takenOver decides after the session refused our new epoch: another
// runner wrote it (give up and free the new claim), or its status was
// changed elsewhere (keep the claim for the final write of our counters).
func (r *runner) takenOver(ctx context.Context, doc store.LeaseDoc, old int64) error {
	sess, err := r.svc.Store.Sessions.Get(ctx, r.id)
	if err != nil {
		return nil // the next checkpoint finds out
	}
	if sess.Replayctl == nil || sess.Replayctl.Epoch != old {
		if _, err := r.svc.Store.Leases().Release(ctx, doc.ID, r.svc.now()); err != nil {
			r.log.Warn("release claim", "error", err)
		}
		return &lostError{reasonLostLease, errors.New("another runner took the session over")}
	}
	if sess.Status != contract.StatusRunning {
		r.h.switchTo(doc)
		return &lostError{reasonExternal, errors.New("the session's status was changed by another writer")}
	}
	return nil
}
