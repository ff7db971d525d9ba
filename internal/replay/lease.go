package replay

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/uuid"
)

// Claim purposes: a runner streaming the session, or a command changing its
// status for a moment.
const (
	purposeRun     = "run"
	purposeControl = "control"
)

// controlTTL bounds how long a crashed control command can block a session.
const controlTTL = 10 * time.Second

func isLive(d *store.LeaseDoc, now time.Time) bool {
	return d != nil && !d.Released && now.Before(d.ExpiresAt)
}

// HeldError reports a session another live claim holds; it reaches callers
// as a fault.Conflict.
type HeldError struct {
	sessionID string
	lease     store.LeaseDoc
}

func (e *HeldError) Error() string {
	what := "held by"
	if e.lease.Purpose == purposeRun {
		what = "being run by"
	}
	return fmt.Sprintf("session %s is %s %s until %s", e.sessionID, what, e.lease.Owner,
		e.lease.ExpiresAt.UTC().Format(contract.TimeFormat))
}

func (e *HeldError) conflict() error { return fault.New(fault.Conflict, e) }

// holder is this process's claim on one session. A runner's holder may
// move to a new epoch (reclaim) while the renewer runs; doc is read and
// replaced under mu.
type holder struct {
	leases *store.Leases
	now    func() time.Time
	ttl    time.Duration
	prev   *store.LeaseDoc // the claim this one superseded, if any

	mu      sync.Mutex
	doc     store.LeaseDoc
	expires time.Time
	// trusted is expires minus the margin in Unix nanoseconds, written
	// with expires: the reader asks valid for every event, and reads it
	// without the lock the renewer takes.
	trusted atomic.Int64
}

// setExpires records the claim's expiry; h.mu is held.
func (h *holder) setExpires(t time.Time) {
	h.expires = t
	h.trusted.Store(t.Add(-h.margin()).UnixNano())
}

// acquire claims the next epoch of a session, or returns a *HeldError when
// a live claim exists. Losing an insert race re-reads who won.
func (s *Service) acquire(ctx context.Context, sessionID, purpose string, ttl time.Duration) (*holder, error) {
	s.ensureIndexes(ctx)
	for range 5 {
		latest, err := s.Store.Leases().Latest(ctx, sessionID)
		if err != nil {
			return nil, err
		}
		if isLive(latest, s.now()) {
			return nil, &HeldError{sessionID: sessionID, lease: *latest}
		}
		doc, err := s.insertClaim(ctx, sessionID, purpose, ttl, latest)
		if err == nil {
			h := &holder{leases: s.Store.Leases(), now: s.now, ttl: ttl, doc: doc, prev: latest}
			h.setExpires(doc.ExpiresAt)
			return h, nil
		}
		if !store.IsDuplicateKey(err) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("claim session %s: too much contention, try again", sessionID)
}

// insertClaim inserts the epoch after latest (1 when there is none). A
// duplicate-key error means another process took that epoch first.
func (s *Service) insertClaim(ctx context.Context, sessionID, purpose string, ttl time.Duration, latest *store.LeaseDoc) (store.LeaseDoc, error) {
	now := s.now()
	doc := store.LeaseDoc{
		SessionID: sessionID, Epoch: 1, Owner: s.ownerID(), Purpose: purpose,
		AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(ttl), Token: uuid.New(),
	}
	if latest != nil {
		doc.Epoch = latest.Epoch + 1
	}
	return doc, s.Store.Leases().Insert(ctx, &doc)
}

// Lease arithmetic. A claim lasts ttl from its last renewal; the holder
// trusts it until margin = ttl/5 before that, renews every ttl/3 on a
// schedule of its own, bounds each renewal by callTimeout = margin/2 and
// retries every retryPause after a failure. With the default TTL (30 s):
// margin 6 s, renewal every 10 s, 3 s per call, so MongoDB may be away
// 14 s (ttl - margin - ttl/3, in the worst phase) before the claim is in
// doubt; meanwhile the reader sends up to its reservation past the last
// checkpoint (the gate). Past that the runner sends nothing and keeps
// trying; when MongoDB answers and nobody else claimed the session it
// takes a new epoch and goes on, so the outage a runner rides out is
// unbounded. Another runner may take the session over once ttl has passed
// since the last renewal; the first then stops without writing.
//
// Clocks: expiry compares the holder's clock (which wrote expires_at) with
// a taker's. That is safe while the clocks differ by less than the margin
// minus the time a write takes; runners warn at start when the server's
// clock (hello.localTime) is further than margin/2 from their own.
const retryPause = 500 * time.Millisecond

// margin is how long before its expiry a holder stops trusting its claim:
// room for clock skew between hosts and for a write already under way.
func (h *holder) margin() time.Duration { return h.ttl / 5 }

// callTimeout bounds one renewal, well inside the margin.
func (h *holder) callTimeout() time.Duration { return h.margin() / 2 }

// renewEvery is the renewal period while renewals succeed.
func (h *holder) renewEvery() time.Duration { return h.ttl / 3 }

// claim returns the current claim document.
func (h *holder) claim() store.LeaseDoc {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.doc
}

func (h *holder) epoch() int64 { return h.claim().Epoch }

// valid reports whether the claim is still safely ours by our own clock.
func (h *holder) valid() bool {
	return h.now().UnixNano() < h.trusted.Load()
}

// renew extends the claim while it is unexpired. It reports false when
// the claim expired, was released or is gone: it is never revived.
func (h *holder) renew(ctx context.Context) (bool, error) {
	now := h.now()
	exp := now.Add(h.ttl)
	doc := h.claim()
	ok, err := h.leases.Renew(ctx, doc.ID, now, exp)
	if err != nil || !ok {
		return ok, err
	}
	h.mu.Lock()
	if h.doc.ID == doc.ID {
		h.setExpires(exp)
	}
	h.mu.Unlock()
	return true, nil
}

// switchTo makes a newly inserted claim this holder's.
func (h *holder) switchTo(doc store.LeaseDoc) {
	h.mu.Lock()
	h.doc = doc
	h.setExpires(doc.ExpiresAt)
	h.mu.Unlock()
}

// current reports whether no later epoch exists: nobody took over.
func (h *holder) current(ctx context.Context) (bool, error) {
	doc := h.claim()
	latest, err := h.leases.Latest(ctx, doc.SessionID)
	if err != nil {
		return false, err
	}
	return latest != nil && latest.Epoch == doc.Epoch, nil
}

// release gives the claim up so the next claimant need not wait. It runs on
// its own deadline: it must happen even when the caller's context ended.
func (h *holder) release(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := h.leases.Release(ctx, h.claim().ID, h.now())
	return err
}

// crashed reports whether the previous claim was a runner that never
// released: it may have sent events after its last checkpoint.
func (h *holder) crashed() bool {
	return h.prev != nil && !h.prev.Released && h.prev.Purpose == purposeRun
}
