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
	"github.com/integr8scode/replayctl/internal/uuid"
	"github.com/integr8scode/replayctl/internal/wait"
)

// Start moves a created session to running and sets started_at. It does not
// run it: Run does, here or in a worker.
func (s *Service) Start(ctx context.Context, id string) (*contract.Session, error) {
	return s.transition(ctx, id, contract.ActionStart)
}

// Resume moves a paused session back to running. A running session whose
// runner died (its claim expired or was released) is also accepted, so that
// Run can take it over; a live runner makes it an invalid-state error.
func (s *Service) Resume(ctx context.Context, id string) (*contract.Session, error) {
	sess, err := s.Resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	if sess.Status != contract.StatusRunning {
		return s.transition(ctx, sess.SessionID, contract.ActionResume)
	}
	latest, err := s.Store.Leases().Latest(ctx, sess.SessionID)
	if err != nil {
		return nil, err
	}
	if isLive(latest, s.now()) && latest.Purpose == purposeRun {
		return nil, (&HeldError{sessionID: sess.SessionID, lease: *latest}).conflict()
	}
	return sess, nil
}

// Pause moves a running session to paused; Cancel moves any non-terminal
// session to cancelled. When a live runner holds the session they ask it
// (a request it applies at its next checkpoint, within about two seconds)
// and wait, bounded by ctx, for the new status; otherwise they claim the
// session and apply the change themselves.
func (s *Service) Pause(ctx context.Context, id string) (*contract.Session, error) {
	return s.stopSession(ctx, id, contract.ActionPause)
}

// Cancel: see Pause.
func (s *Service) Cancel(ctx context.Context, id string) (*contract.Session, error) {
	return s.stopSession(ctx, id, contract.ActionCancel)
}

// resolveFor resolves id to a session, refusing one whose status does not
// allow a.
func (s *Service) resolveFor(ctx context.Context, id string, a contract.Action) (*contract.Session, error) {
	sess, err := s.Resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := contract.Transition(sess.Status, a); err != nil {
		return nil, invalidTransition(sess, a)
	}
	return sess, nil
}

func (s *Service) transition(ctx context.Context, id string, a contract.Action) (*contract.Session, error) {
	sess, err := s.resolveFor(ctx, id, a)
	if err != nil {
		return nil, err
	}
	h, err := s.acquireControl(ctx, sess.SessionID)
	if err != nil {
		return nil, codedHeld(err)
	}
	defer h.release(ctx)
	return s.applyHeld(ctx, h, sess.SessionID, a)
}

func (s *Service) stopSession(ctx context.Context, id string, a contract.Action) (*contract.Session, error) {
	sess, err := s.resolveFor(ctx, id, a)
	if err != nil {
		return nil, err
	}
	for {
		h, err := s.acquireControl(ctx, sess.SessionID)
		if err == nil {
			defer h.release(ctx)
			return s.applyHeld(ctx, h, sess.SessionID, a)
		}
		var he *HeldError
		if !errors.As(err, &he) || he.lease.Purpose != purposeRun {
			return nil, codedHeld(err)
		}
		out, err := s.askRunner(ctx, sess.SessionID, a)
		if !errors.Is(err, errRunnerGone) {
			return out, err
		}
		// The runner ended without applying the request: claim it ourselves.
	}
}

// acquireControl claims a session briefly; another command's short claim is
// waited out, a runner's claim is returned as *HeldError.
func (s *Service) acquireControl(ctx context.Context, id string) (*holder, error) {
	deadline := time.Now().Add(controlTTL + 2*time.Second)
	for {
		h, err := s.acquire(ctx, id, purposeControl, controlTTL)
		var he *HeldError
		if !errors.As(err, &he) || he.lease.Purpose == purposeRun || time.Now().After(deadline) {
			return h, err
		}
		if err := wait.Sleep(ctx, 50*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// applyHeld changes the status of a session this process holds, with the
// status it read as the condition.
func (s *Service) applyHeld(ctx context.Context, h *holder, id string, a contract.Action) (*contract.Session, error) {
	cur, err := s.Store.HolderSessions().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	to, err := contract.Transition(cur.Status, a)
	if err != nil {
		return nil, invalidTransition(cur, a)
	}
	now := s.now().Truncate(time.Millisecond)
	set := bson.D{{Key: "status", Value: to}}
	if a == contract.ActionStart && cur.StartedAt == nil {
		set = append(set, bson.E{Key: "started_at", Value: now})
	}
	if to.Terminal() {
		set = append(set, bson.E{Key: "completed_at", Value: now})
	}
	ok, err := s.Store.HolderSessions().UpdateIfStatus(ctx, id, cur.Status, set)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fault.Conflictf("session %s changed while it was being updated; try again", id)
	}
	if a == contract.ActionStart || a == contract.ActionResume {
		s.dropRequests(ctx, id) // a pause asked for before this resume is stale
	}
	s.logger(id).Info("session status changed", "action", string(a), "from", string(cur.Status), "to", string(to), "epoch", h.epoch())
	return s.Store.HolderSessions().Get(ctx, id)
}

func (s *Service) dropRequests(ctx context.Context, id string) {
	reqs, err := s.Store.Requests().Pending(ctx, id)
	if err == nil && len(reqs) > 0 {
		ids := make([]string, len(reqs))
		for i, r := range reqs {
			ids[i] = r.ID
		}
		err = s.Store.Requests().Delete(ctx, ids...)
	}
	if err != nil {
		s.logger(id).Warn("drop stale requests", "error", err)
	}
}

var errRunnerGone = errors.New("the runner released the session without applying the request")

// askRunner inserts a request for the live runner and waits for the status
// it asks for. The request is removed however this ends.
func (s *Service) askRunner(ctx context.Context, id string, a contract.Action) (*contract.Session, error) {
	want, _ := contract.Transition(contract.StatusRunning, a)
	req := &store.RequestDoc{
		ID: id + ":" + string(a) + ":" + uuid.New()[:8], SessionID: id, Action: string(a),
		RequestedBy: s.ownerID(), RequestedAt: s.now(),
	}
	if err := s.Store.Requests().Insert(ctx, req); err != nil {
		return nil, err
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = s.Store.Requests().Delete(dctx, req.ID)
	}()
	s.logger(id).Info("asked the runner", "action", string(a), "request", req.ID)
	lastLeaseCheck := time.Now()
	for {
		if err := wait.Sleep(ctx, 100*time.Millisecond); err != nil {
			return nil, fmt.Errorf("waiting for the runner to %s session %s: %w", a, id, err)
		}
		cur, err := s.Store.Sessions.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if cur.Status == want {
			return cur, nil
		}
		if _, err := contract.Transition(cur.Status, a); err != nil {
			return nil, invalidTransition(cur, a)
		}
		if time.Since(lastLeaseCheck) < time.Second {
			continue
		}
		lastLeaseCheck = time.Now()
		latest, err := s.Store.Leases().Latest(ctx, id)
		if err != nil {
			return nil, err
		}
		if !isLive(latest, s.now()) || latest.Purpose != purposeRun {
			return nil, errRunnerGone
		}
	}
}

func codedHeld(err error) error {
	var he *HeldError
	if errors.As(err, &he) {
		return he.conflict()
	}
	return err
}

// invalidTransition is the error for an action the lifecycle forbids,
// naming the current status.
func invalidTransition(sess *contract.Session, a contract.Action) error {
	return stateError(sess, string(a))
}
