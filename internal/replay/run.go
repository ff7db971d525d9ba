package replay

import (
	"context"
	"errors"
	"io"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
)

// InterruptAction is what Run does when its context is cancelled.
type InterruptAction int

const (
	// PauseOnInterrupt checkpoints and sets the session paused (Ctrl-C in
	// the CLI: the operator resumes it later).
	PauseOnInterrupt InterruptAction = iota
	// ReleaseOnInterrupt checkpoints, leaves the session running and
	// releases the claim so another runner continues at once (a worker
	// shutting down).
	ReleaseOnInterrupt
)

// RunOptions tune one Run.
type RunOptions struct {
	// Progress is called at most ~10 times a second, and once at the end.
	Progress func(Progress)
	// Stdout receives the events of a file target "-".
	Stdout      io.Writer
	OnInterrupt InterruptAction
	// TopicsChecked says the caller ran CheckTopics just before, so the
	// run does not repeat it (a query over the events and a metadata call).
	TopicsChecked bool
}

// Progress is a running session's live counters. Total is 0 until the
// matching events are counted.
type Progress struct {
	SessionID string                 `json:"session_id"`
	Status    contract.SessionStatus `json:"status"`
	Total     int64                  `json:"total"`
	Replayed  int64                  `json:"replayed"`
	Failed    int64                  `json:"failed"`
	Skipped   int64                  `json:"skipped"`
	// Rate is events per second over the last few seconds.
	Rate float64 `json:"rate"`
	// InFlight counts events sent and not yet acknowledged.
	InFlight int64 `json:"in_flight"`
}

// Outcome is how a Run ended.
type Outcome string

const (
	OutcomeCompleted Outcome = "completed"
	OutcomeFailed    Outcome = "failed"
	OutcomePaused    Outcome = "paused"
	OutcomeCancelled Outcome = "cancelled"
	// OutcomeReleased: interrupted with ReleaseOnInterrupt; still running,
	// for another runner to continue.
	OutcomeReleased Outcome = "released"
)

// Result is the session after a Run, and how the Run ended.
type Result struct {
	Session *contract.Session `json:"session"`
	Outcome Outcome           `json:"outcome"`
}

// Run streams a running session to its target until the session ends, is
// paused or cancelled (by request from any process), or ctx is done (see
// RunOptions.OnInterrupt). It claims the session first: a live runner
// elsewhere makes it an exit-4 error naming that runner. The session's end
// (including failed) is reported in Result; an error means Run could not do
// its job: the session was not runnable, its claim was lost, or a server
// failed in a way retries did not cure.
func (s *Service) Run(ctx context.Context, id string, opts RunOptions) (*Result, error) {
	sess, err := s.Resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	if sess.Status != contract.StatusRunning {
		return nil, notRunning(sess)
	}
	if err := s.checkRunnable(sess, opts); err != nil {
		return nil, err
	}
	s.CheckClock(ctx)
	refused, err := s.refusal(ctx, sess, opts)
	if err != nil {
		return nil, err
	}
	prov := s.firstStart(ctx, sess)
	h, err := s.acquire(ctx, sess.SessionID, purposeRun, s.ttl())
	if err != nil {
		return nil, codedHeld(err)
	}
	r := newRunner(s, h, sess.SessionID, opts)
	r.missingTopics, r.prov = refused, prov
	res, err := r.run(ctx)
	if rerr := h.release(ctx); rerr != nil {
		r.log.Warn("release claim", "error", rerr)
	}
	return res, err
}

func notRunning(sess *contract.Session) error { return stateError(sess, "run") }

// checkRunnable refuses, before claiming, what this process cannot run.
func (s *Service) checkRunnable(sess *contract.Session, opts RunOptions) error {
	switch sess.Config.Target {
	case contract.TargetKafka:
		if s.Kafka == nil && !sess.DryRun {
			return errors.New("replay to Kafka needs a Kafka client (internal error: Service.Kafka is nil)")
		}
	case contract.TargetFile:
		p := sess.Config.TargetFilePath
		if p == nil || *p == "" {
			return fault.Conflictf("session %s has target file but no target_file_path", sess.SessionID)
		}
		if *p == "-" && opts.Stdout == nil && !sess.DryRun {
			return fault.Conflictf("session %s writes to stdout; run it in the foreground with `replayctl replay start` or `resume`", sess.SessionID)
		}
	default:
		return fault.Conflictf("session %s has target %q, which replayctl cannot replay to (kafka or file)",
			sess.SessionID, sess.Config.Target)
	}
	return nil
}
