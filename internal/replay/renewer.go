package replay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/wait"
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
	if lost, _ := r.lost(); lost {
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
	case errors.As(err, &lost) && lost.reason == reasonLostLease:
		r.giveUp(lost.cause)
		return 0, true
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
		if r.triedToken != "" && latest.Token == r.triedToken {
			return r.recordEpoch(ctx, *latest) // our own insert, whose answer was lost
		}
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
		// A reply lost after the insert committed leaves a claim that is
		// ours: its token tells it from another runner's next time.
		r.triedToken = doc.Token
		return err
	}
	return r.recordEpoch(ctx, doc)
}

// stillOurs reports a *lostError when the session no longer records our
// epoch, or no longer runs, before we claim it again.
func (r *runner) stillOurs(ctx context.Context) error {
	sess, err := r.sessions().Get(ctx, r.id)
	if err != nil {
		return err
	}
	if !r.holds(sess) {
		return &lostError{reasonLostLease, errTakenOver}
	}
	if sess.Status != contract.StatusRunning {
		return &lostError{reasonLostLease, fmt.Errorf("the session became %s while this runner's claim had lapsed", sess.Status)}
	}
	return nil
}

// recordEpoch moves the session from our old epoch to the new claim's.
// It holds writeMu throughout, so no checkpoint writes with an epoch that
// is about to change, and stores the epoch before the claim becomes valid.
func (r *runner) recordEpoch(ctx context.Context, doc store.LeaseDoc) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	old := r.epoch.Load()
	window := max(r.tr.sentCount()-r.ckptSent.Load(), 0)
	set := bson.D{{Key: store.EpochField, Value: doc.Epoch}}
	ok, err := r.sessions().UpdateIfHeld(ctx, r.id, contract.StatusRunning, old, set)
	if err := r.settleEpoch(ctx, doc, old, ok, err); err != nil {
		return err
	}
	r.triedToken = ""
	if r.resendable {
		r.dups.counted.Add(window)
		var through *contract.Checkpoint
		if p, ok := r.tr.newestSent(); ok {
			through = p.checkpoint()
		}
		r.windows.add(doc.Epoch, window, through)
	}
	r.log.Warn("took the session again after the claim lapsed", "epoch", doc.Epoch, "previous_epoch", old,
		"possible_duplicates_added", window)
	return nil
}

// settleEpoch makes doc this runner's claim once the write moving the
// session from epoch old to doc.Epoch answered ok, or failed (err), or
// matched nothing. Those two may hide a write that committed with its
// reply lost (or a retry that found it done), so the session is read
// again: it records the new epoch (ours: adopt it), the old one (write
// with that), or neither (another runner took it over). Called with writeMu.
func (r *runner) settleEpoch(ctx context.Context, doc store.LeaseDoc, old int64, ok bool, err error) error {
	if ok && err == nil {
		r.epoch.Store(doc.Epoch)
		r.pending.Store(0)
		r.h.switchTo(doc)
		return nil
	}
	if err != nil {
		r.log.Warn("record the new epoch in the session", "epoch", doc.Epoch, "error", err)
	}
	r.pending.Store(doc.Epoch)
	sess, rerr := r.rereadSession(ctx)
	if rerr != nil && fault.KindOf(rerr) != fault.NotFound {
		// Unknown: both epochs are ours. Checkpoints write with the old
		// one, and whoever finds the session at the new one adopts it.
		r.h.switchTo(doc)
		return nil
	}
	if rerr != nil || !r.holds(sess) {
		r.pending.Store(0)
		if _, err := r.svc.Store.Leases().Release(ctx, doc.ID, r.svc.now()); err != nil {
			r.log.Warn("release claim", "error", err)
		}
		return &lostError{reasonLostLease, errTakenOver}
	}
	r.h.switchTo(doc)
	if sess.Status != contract.StatusRunning {
		return &lostError{reasonExternal, errors.New("the session's status was changed by another writer")}
	}
	return nil
}

// rereadSession reads the session until it answers, ctx ends or the run
// stops.
func (r *runner) rereadSession(ctx context.Context) (*contract.Session, error) {
	for {
		sess, err := r.sessions().Get(ctx, r.id)
		if err == nil || fault.KindOf(err) == fault.NotFound {
			return sess, err
		}
		if reason, _ := r.stopped(); reason != reasonNone {
			return nil, err
		}
		if werr := wait.Sleep(ctx, retryPause); werr != nil {
			return nil, err
		}
	}
}

// holds reports whether the session records an epoch of ours: the one we
// write with, or one we tried to record whose answer was lost, which then
// becomes the one we write with.
func (r *runner) holds(sess *contract.Session) bool {
	if sess.Replayctl == nil {
		return false
	}
	stored := sess.Replayctl.Epoch
	if stored == r.epoch.Load() {
		return true
	}
	if p := r.pending.Load(); p != 0 && stored == p {
		r.epoch.Store(p)
		r.pending.CompareAndSwap(p, 0)
		return true
	}
	return false
}
