package dlqjob

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
)

// CancelOutcome says how a cancel took effect.
type CancelOutcome string

// Cancel outcomes.
const (
	// CancelApplied: nobody held the job; the command cancelled it.
	CancelApplied CancelOutcome = "cancelled"
	// CancelRequested: a live holder will stop at its next chunk (within
	// about a second) and mark the job cancelled.
	CancelRequested CancelOutcome = "requested"
)

const actionCancel = "cancel"

func requestID(jobID string) string { return jobID + ":" + actionCancel }

// Cancel stops a pending or running job; messages already sent stay sent.
// Without a live holder the command takes a short control lease and
// cancels the job itself; with one it inserts a request the holder applies
// (EMBEDDED.md: one writer per document).
func (s *Service) Cancel(ctx context.Context, idOrPrefix, by, reason string) (*Job, CancelOutcome, error) {
	j, err := s.Get(ctx, idOrPrefix)
	if err != nil {
		return nil, "", err
	}
	if _, err := Next(j.Status, EventCancel); err != nil {
		return j, "", err
	}
	h, err := s.acquire(ctx, j.ID, purposeControl, controlTTL)
	var held *HeldError
	switch {
	case errors.As(err, &held):
		return j, CancelRequested, s.request(ctx, j.ID, by, reason)
	case err != nil:
		return j, "", err
	}
	defer h.release(ctx)
	// Re-read under the lease: a holder may have finished meanwhile.
	if j, err = s.Get(ctx, j.ID); err != nil {
		return nil, "", err
	}
	if _, err := Next(j.Status, EventCancel); err != nil {
		return j, "", err
	}
	now := s.now()
	set := bson.D{{Key: "status", Value: StatusCancelled}, {Key: "finished_at", Value: now},
		{Key: "cancelled_by", Value: by}, {Key: "cancel_reason", Value: reason},
		{Key: "holder.epoch", Value: h.epoch()}, {Key: "holder.owner", Value: s.owner()}}
	ok, err := s.Store.DLQJobs().Set(ctx, j.ID, h.epoch(), set)
	if err != nil {
		return j, "", err
	}
	if !ok {
		return j, "", fault.Conflictf("job %s was written by a later holder while it was being cancelled; look again with 'replayctl dlq jobs show'", j.ID)
	}
	j.Status, j.FinishedAt, j.CancelledBy, j.CancelReason = StatusCancelled, &now, by, reason
	return j, CancelApplied, nil
}

func (s *Service) request(ctx context.Context, jobID, by, reason string) error {
	doc := &store.RequestDoc{ID: requestID(jobID), SessionID: jobID, Action: actionCancel,
		RequestedBy: encodeRequester(by, reason), RequestedAt: s.now()}
	err := s.Store.DLQJobRequests().Insert(ctx, doc)
	if err != nil && store.IsDuplicateKey(err) {
		return nil // asked already; the holder applies it once
	}
	if err != nil {
		return fault.New(fault.Unavailable, fmt.Errorf("request cancel of job %s: %w", jobID, err))
	}
	return nil
}

// A request records who asked and why in requested_by as "who\x00why",
// so the holder can stamp both on the job.
func encodeRequester(by, reason string) string { return by + "\x00" + reason }

func decodeRequester(s string) (by, reason string) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// cancelRequest returns the pending cancel request of a job, if any.
func (s *Service) cancelRequest(ctx context.Context, jobID string) (*store.RequestDoc, error) {
	reqs, err := s.Store.DLQJobRequests().Pending(ctx, jobID)
	if err != nil {
		return nil, err
	}
	for i := range reqs {
		if reqs[i].Action == actionCancel {
			return &reqs[i], nil
		}
	}
	return nil, nil
}

// CancelsRequested reports which of the given jobs have a cancel request
// waiting for their holder, in one query (a list shows them all).
func (s *Service) CancelsRequested(ctx context.Context, jobIDs []string) (map[string]bool, error) {
	reqs, err := s.Store.DLQJobRequests().PendingOf(ctx, jobIDs)
	if err != nil {
		return nil, err
	}
	asked := map[string]bool{}
	for _, r := range reqs {
		if r.Action == actionCancel {
			asked[r.SessionID] = true
		}
	}
	return asked, nil
}

// CancelRequested reports whether a cancel request waits for the job's
// holder (shown as "cancel requested").
func (s *Service) CancelRequested(ctx context.Context, jobID string) (bool, error) {
	r, err := s.cancelRequest(ctx, jobID)
	return r != nil, err
}
