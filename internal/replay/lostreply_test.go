package replay

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// claimedRunner is a runner that claimed sess and loaded it, as Run does,
// without streaming; begin is left to the caller.
func (e *env) claimedRunner(svc *Service, id string) *runner {
	e.t.Helper()
	ctx := ctxT(e.t, time.Minute)
	h, err := svc.acquire(ctx, id, purposeRun, svc.ttl())
	if err != nil {
		e.t.Fatal(err)
	}
	r := newRunner(svc, h, id, RunOptions{})
	r.sink = dryRunSink{} // finish aborts the sink; these runners send nothing
	r.ioCtx = context.Background()
	r.readCtx, r.cancelRead = context.WithCancel(context.Background())
	e.t.Cleanup(r.cancelRead)
	if err := r.load(ctx); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// startedRunner is a runner of a started session over five events: begun
// (the session records its epoch) when begin is set, else only claimed.
func startedRunner(t *testing.T, begin bool) (*env, *runner) {
	t.Helper()
	e := newEnv(t)
	e.seed(5, "pod_running")
	svc := e.service("runner-a")
	sess := e.createStarted(svc, Spec{})
	if begin {
		return e, e.heldRunner(svc, sess.SessionID)
	}
	return e, e.claimedRunner(svc, sess.SessionID)
}

// heldRunner is a claimedRunner that recorded its epoch in the session.
func (e *env) heldRunner(svc *Service, id string) *runner {
	e.t.Helper()
	r := e.claimedRunner(svc, id)
	if err := r.begin(ctxT(e.t, time.Minute)); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// lapse makes the runner's claim untrustworthy by its own clock.
func (r *runner) lapse() {
	r.h.mu.Lock()
	r.h.setExpires(time.Now().Add(-time.Hour))
	r.h.mu.Unlock()
}

// nextClaim inserts, as r's own process, the claim after r's current one:
// what a reclaim's insert commits.
func (e *env) nextClaim(r *runner) store.LeaseDoc {
	e.t.Helper()
	mine := r.h.claim()
	doc, err := r.svc.insertClaim(ctxT(e.t, time.Minute), r.id, purposeRun, r.h.ttl, &mine)
	if err != nil {
		e.t.Fatal(err)
	}
	return doc
}

// commitEpoch applies, behind r's back, the write that moves the session
// from r's epoch to epoch: the write committed and its reply was lost.
func (e *env) commitEpoch(r *runner, epoch int64) {
	e.t.Helper()
	ok, err := e.st.Sessions.UpdateIfHeld(ctxT(e.t, time.Minute), r.id, contract.StatusRunning, r.epoch.Load(),
		bson.D{{Key: store.EpochField, Value: epoch}})
	if err != nil || !ok {
		e.t.Fatalf("apply the epoch write: %v %v", ok, err)
	}
}

// assertWritesAt checks that r writes with epoch, its claim is epoch's and
// still live, and a checkpoint-like write lands.
func (e *env) assertWritesAt(r *runner, epoch int64) {
	e.t.Helper()
	if got := r.epoch.Load(); got != epoch {
		e.t.Errorf("runner writes with epoch %d, want %d", got, epoch)
	}
	if got := r.h.epoch(); got != epoch {
		e.t.Errorf("runner's claim is epoch %d, want %d", got, epoch)
	}
	lease, err := e.st.Leases().Latest(ctxT(e.t, time.Minute), r.id)
	if err != nil || lease == nil || lease.Epoch != epoch || lease.Released {
		e.t.Errorf("latest claim %+v (%v): want epoch %d, not released", lease, err, epoch)
	}
	ok, err := r.writeHeld(ctxT(e.t, time.Minute), contract.StatusRunning, bson.D{{Key: "replayed_events", Value: int64(7)}})
	if err != nil || !ok {
		e.t.Errorf("write as the holder: matched %v, %v", ok, err)
	}
}

// TestFinisherStopsWaitingWhenTheRenewerGivesUpAfterAPause: the run
// stopped for a pause first, the claim lapsed, and the renewer then found
// another runner's live claim and gave up. The finisher must learn it at
// once rather than wait for a claim that nobody renews any more.
func TestFinisherStopsWaitingWhenTheRenewerGivesUpAfterAPause(t *testing.T) {
	t.Parallel()
	e, r := startedRunner(t, true)
	r.stop(reasonPause, nil)
	r.lapse()
	now := time.Now()
	other := store.LeaseDoc{SessionID: r.id, Epoch: r.h.epoch() + 1, Owner: "runner-b", Purpose: purposeRun,
		AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(time.Minute), Token: "b"}
	if err := e.st.Leases().Insert(ctxT(t, time.Minute), &other); err != nil {
		t.Fatal(err)
	}
	if _, done := r.retake(); !done {
		t.Fatal("the renewer did not give up beside a live later run claim")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := r.awaitClaim(ctx)
	if ctx.Err() != nil {
		t.Fatal("awaitClaim waited until its context ended")
	}
	var lost *LostClaimError
	if !errors.As(err, &lost) {
		t.Fatalf("awaitClaim: want a lost claim, got %v", err)
	}
	if _, err := r.finish(ctx); !errors.As(err, &lost) {
		t.Fatalf("finish: want a lost claim, got %v", err)
	}
}

// TestRecordEpochFindsItsOwnCommittedWrite: the write moving the session
// to the new epoch committed, and the retry (WithRetry after a network
// error) matched nothing. The runner must adopt the new epoch, not take
// its own write for a takeover and free its claim.
func TestRecordEpochFindsItsOwnCommittedWrite(t *testing.T) {
	t.Parallel()
	e, r := startedRunner(t, true)
	doc := e.nextClaim(r)
	e.commitEpoch(r, doc.Epoch)
	if err := r.recordEpoch(ctxT(t, time.Minute), doc); err != nil {
		t.Fatalf("recordEpoch: %v", err)
	}
	e.assertWritesAt(r, doc.Epoch)
}

// TestRecordEpochAfterAnErrorReadsWhatCommitted: the same write
// committed but answered with an error (a timeout or a reset after the
// commit). The runner must adopt the epoch the session records, or its
// next checkpoint matches nothing and it reports a takeover.
func TestRecordEpochAfterAnErrorReadsWhatCommitted(t *testing.T) {
	t.Parallel()
	e, r := startedRunner(t, true)
	old := r.epoch.Load()
	doc := e.nextClaim(r)
	e.commitEpoch(r, doc.Epoch)
	r.writeMu.Lock()
	err := r.settleEpoch(ctxT(t, time.Minute), doc, old, false, errors.New("connection reset after the commit"))
	r.writeMu.Unlock()
	if err != nil {
		t.Fatalf("settleEpoch: %v", err)
	}
	e.assertWritesAt(r, doc.Epoch)
}

// TestRefusedAdoptsTheEpochWhoseAnswerWasLost: the session could not be
// read after the epoch write failed, so the runner went on with the old
// epoch; the write had committed. The refused checkpoint must adopt the
// new epoch instead of reporting a lost claim.
func TestRefusedAdoptsTheEpochWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	e, r := startedRunner(t, true)
	doc := e.nextClaim(r)
	e.commitEpoch(r, doc.Epoch)
	r.pending.Store(doc.Epoch)
	r.h.switchTo(doc)
	ok, err := r.writeHeld(ctxT(t, time.Minute), contract.StatusRunning, bson.D{{Key: "replayed_events", Value: int64(3)}})
	if err != nil || ok {
		t.Fatalf("a write at the old epoch: matched %v, %v; want no match", ok, err)
	}
	if err := r.refused(ctxT(t, time.Minute)); err != nil {
		t.Fatalf("refused: %v", err)
	}
	e.assertWritesAt(r, doc.Epoch)
}

// TestBeginFindsItsOwnCommittedTakeOver: TakeOver committed and its retry
// matched nothing ($lt our epoch no longer holds). That is our own write:
// the run begins.
func TestBeginFindsItsOwnCommittedTakeOver(t *testing.T) {
	t.Parallel()
	e, r := startedRunner(t, false)
	epoch := r.h.epoch()
	ok, err := e.st.Sessions.TakeOver(ctxT(t, time.Minute), r.id, epoch, bson.D{{Key: "replayctl.owner", Value: "runner-a"}})
	if err != nil || !ok {
		t.Fatalf("apply TakeOver: %v %v", ok, err)
	}
	if err := r.begin(ctxT(t, time.Minute)); err != nil {
		t.Fatalf("begin: %v", err)
	}
	e.assertWritesAt(r, epoch)
}

// TestBeginRefusesALaterTakeOver is the other side: a later epoch
// recorded in the session is still a lost claim.
func TestBeginRefusesALaterTakeOver(t *testing.T) {
	t.Parallel()
	e, r := startedRunner(t, false)
	ok, err := e.st.Sessions.TakeOver(ctxT(t, time.Minute), r.id, r.h.epoch()+1, bson.D{})
	if err != nil || !ok {
		t.Fatalf("apply TakeOver: %v %v", ok, err)
	}
	var lost *LostClaimError
	if err := r.begin(ctxT(t, time.Minute)); !errors.As(err, &lost) {
		t.Fatalf("begin: want a lost claim, got %v", err)
	}
}

// TestReclaimKnowsItsOwnInsertWhoseReplyWasLost: a reclaim's claim insert
// committed and answered with an error. The next reclaim finds a live run
// claim at a later epoch, its own: it must take it, not report that
// another runner (itself) took the session over.
func TestReclaimKnowsItsOwnInsertWhoseReplyWasLost(t *testing.T) {
	t.Parallel()
	e, r := startedRunner(t, true)
	r.lapse()
	doc := e.nextClaim(r)
	r.triedToken = doc.Token // what reclaim keeps from an insert that failed
	if err := r.reclaim(ctxT(t, time.Minute)); err != nil {
		t.Fatalf("reclaim: %v", err)
	}
	if got := e.get(r.id).Replayctl.Epoch; got != doc.Epoch {
		t.Errorf("the session records epoch %d, want %d", got, doc.Epoch)
	}
	e.assertWritesAt(r, doc.Epoch)
}
