package dlqjob

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/uuid"
	"github.com/integr8scode/replayctl/internal/wait"
)

// Lease purposes: a holder running the job, or a command changing its
// status for a moment (cancel of a job nobody runs).
const (
	purposeRun     = "run"
	purposeControl = "control"
)

// controlTTL bounds how long a crashed cancel command can block a job.
const controlTTL = 10 * time.Second

// HeldError is a job another live lease holds; a fault.Conflict.
type HeldError struct {
	JobID string
	Lease store.LeaseDoc
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("job %s is held by %s until %s", e.JobID, e.Lease.Owner,
		e.Lease.ExpiresAt.UTC().Format(contract.TimeFormat))
}

func isLive(d *store.LeaseDoc, now time.Time) bool {
	return d != nil && !d.Released && now.Before(d.ExpiresAt)
}

// holder is this process's lease on one job: inserted as <job_id>:<epoch>
// (one winner per epoch on both servers), renewed on its own schedule,
// trusted until a fifth of the TTL before it expires.
type holder struct {
	leases *store.Leases
	now    func() time.Time
	ttl    time.Duration
	doc    store.LeaseDoc
	prev   *store.LeaseDoc

	mu      sync.Mutex
	expires time.Time
	lost    bool
}

// acquire takes the next epoch of a job's lease, or returns a HeldError
// (as a conflict) while a live lease exists.
func (s *Service) acquire(ctx context.Context, jobID, purpose string, ttl time.Duration) (*holder, error) {
	leases := s.Store.DLQJobLeases()
	for range 5 {
		latest, err := leases.Latest(ctx, jobID)
		if err != nil {
			return nil, err
		}
		if isLive(latest, s.now()) {
			return nil, fault.New(fault.Conflict, &HeldError{JobID: jobID, Lease: *latest})
		}
		now := s.now()
		doc := store.LeaseDoc{SessionID: jobID, Epoch: 1, Owner: s.owner(), Purpose: purpose,
			AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(ttl), Token: uuid.New()}
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
	return nil, fmt.Errorf("claim job %s: too much contention, try again", jobID)
}

func (h *holder) epoch() int64 { return h.doc.Epoch }

// valid reports whether the lease is still safely ours by our own clock.
func (h *holder) valid() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.lost && h.now().Before(h.expires.Add(-h.ttl/5))
}

// renewLoop renews every third of the TTL until ctx ends or the lease is
// lost (expired or superseded: never revived); a failed renewal is tried
// again soon, while the lease still has time.
func (h *holder) renewLoop(ctx context.Context) {
	next := h.ttl / 3
	for {
		if wait.Sleep(ctx, next) != nil {
			return
		}
		now := h.now()
		exp := now.Add(h.ttl)
		callCtx, cancel := context.WithTimeout(ctx, h.ttl/5)
		ok, err := h.leases.Renew(callCtx, h.doc.ID, now, exp)
		if err == nil && !ok {
			exp, ok, err = h.stillOurs(callCtx, now)
		}
		cancel()
		h.mu.Lock()
		switch {
		case err == nil && ok:
			h.expires, next = exp, h.ttl/3
		case err == nil:
			h.lost = true
		default:
			next = renewRetry
		}
		lost := h.lost
		h.mu.Unlock()
		if lost {
			return
		}
	}
}

// stillOurs tells a renewal that matched nothing because an earlier
// attempt of ours, timed out on our side, moved the expiry meanwhile (the
// lease is ours and live: go on) from a lease that is lost.
func (h *holder) stillOurs(ctx context.Context, now time.Time) (time.Time, bool, error) {
	latest, err := h.leases.Latest(ctx, h.doc.SessionID)
	if err != nil {
		return time.Time{}, false, err
	}
	if latest == nil || latest.ID != h.doc.ID || !isLive(latest, now) {
		return time.Time{}, false, nil
	}
	return latest.ExpiresAt, true, nil
}

// renewRetry is the pause after a failed renewal.
const renewRetry = 500 * time.Millisecond

// release gives the lease up so the next holder need not wait, on a
// deadline of its own: it must happen after the caller's context ended.
func (h *holder) release(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = h.leases.Release(ctx, h.doc.ID, h.now())
}
