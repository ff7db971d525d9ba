package replay

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
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

// holder is this process's claim on one session.
type holder struct {
	leases *store.Leases
	now    func() time.Time
	ttl    time.Duration
	doc    store.LeaseDoc
	prev   *store.LeaseDoc // the claim this one superseded, if any

	mu      sync.Mutex
	expires time.Time
}

// acquire claims the next epoch of a session, or returns a *HeldError when
// a live claim exists. Losing an insert race re-reads who won.
func (s *Service) acquire(ctx context.Context, sessionID, purpose string, ttl time.Duration) (*holder, error) {
	s.ensureIndexes(ctx)
	leases := s.Store.Leases()
	for range 5 {
		latest, err := leases.Latest(ctx, sessionID)
		if err != nil {
			return nil, err
		}
		now := s.now()
		if isLive(latest, now) {
			return nil, &HeldError{sessionID: sessionID, lease: *latest}
		}
		doc := store.LeaseDoc{
			SessionID: sessionID, Epoch: 1, Owner: s.ownerID(), Purpose: purpose,
			AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(ttl),
		}
		if latest != nil {
			doc.Epoch = latest.Epoch + 1
		}
		err = leases.Insert(ctx, &doc)
		if err == nil {
			return &holder{leases: leases, now: s.now, ttl: ttl, doc: doc, prev: latest, expires: doc.ExpiresAt}, nil
		}
		if !store.IsDuplicateKey(err) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("claim session %s: too much contention, try again", sessionID)
}

// margin is how long before its expiry a holder stops trusting its claim:
// room for clock skew between hosts and for a write already under way.
func (h *holder) margin() time.Duration { return h.ttl / 5 }

// valid reports whether the claim is still safely ours by our own clock.
func (h *holder) valid() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now().Before(h.expires.Add(-h.margin()))
}

// renew extends the claim. It reports false when the claim document is gone.
func (h *holder) renew(ctx context.Context) (bool, error) {
	now := h.now()
	exp := now.Add(h.ttl)
	ok, err := h.leases.Renew(ctx, h.doc.ID, now, exp)
	if err != nil || !ok {
		return ok, err
	}
	h.mu.Lock()
	h.expires = exp
	h.mu.Unlock()
	return true, nil
}

// current reports whether no later epoch exists: nobody took over.
func (h *holder) current(ctx context.Context) (bool, error) {
	latest, err := h.leases.Latest(ctx, h.doc.SessionID)
	if err != nil {
		return false, err
	}
	return latest != nil && latest.Epoch == h.doc.Epoch, nil
}

// release gives the claim up so the next claimant need not wait. It runs on
// its own deadline: it must happen even when the caller's context ended.
func (h *holder) release(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := h.leases.Release(ctx, h.doc.ID, h.now())
	return err
}

// crashed reports whether the previous claim was a runner that never
// released: it may have sent events after its last checkpoint.
func (h *holder) crashed() bool {
	return h.prev != nil && !h.prev.Released && h.prev.Purpose == purposeRun
}
