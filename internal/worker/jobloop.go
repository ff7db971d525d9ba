package worker

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/wait"
)

// JobRunner is what the worker needs of redrive jobs; *dlqjob.Service
// implements it.
type JobRunner interface {
	Runnable(ctx context.Context) ([]dlqjob.Job, error)
	Run(ctx context.Context, id string, o dlqjob.RunOptions) (*dlqjob.Job, error)
}

var _ JobRunner = (*dlqjob.Service)(nil)

// jobLoop looks for runnable jobs every poll interval and runs those not
// running here, up to the worker's concurrency. A job another live holder
// has is refused by its lease at once; one whose holder died is taken over
// once that lease has lapsed. A run that stops on an error is tried again
// at a later poll, from its last checkpoint.
func (s *supervisor) jobLoop(ctx context.Context) {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		active = map[string]bool{}
	)
	defer wg.Wait()
	bo := backoff{base: dlqBackoffBase, max: s.o.MaxBackoff}
	for {
		jobs, err := s.w.Jobs.Runnable(ctx)
		pause := s.o.PollInterval
		if err != nil && ctx.Err() == nil {
			pause = bo.next()
			s.log.Warn("cannot list DLQ jobs; trying again", "error", err, "retry_in", pause.String())
		} else {
			bo.reset()
		}
		for _, j := range jobs {
			mu.Lock()
			skip := active[j.ID] || len(active) >= s.o.Concurrency
			if !skip {
				active[j.ID] = true
			}
			mu.Unlock()
			if skip {
				continue
			}
			wg.Go(func() {
				defer func() { mu.Lock(); delete(active, j.ID); mu.Unlock() }()
				s.runJob(ctx, j.ID)
			})
		}
		if wait.Sleep(ctx, pause) != nil {
			return
		}
	}
}

func (s *supervisor) runJob(ctx context.Context, id string) {
	started := time.Now()
	j, err := s.w.Jobs.Run(ctx, id, dlqjob.RunOptions{})
	var held *dlqjob.HeldError
	switch {
	case errors.As(err, &held), fault.KindOf(err) == fault.Conflict:
		return // another holder has it, or it ended meanwhile
	case errors.Is(err, dlqjob.ErrReleased):
		s.log.Info("DLQ job released at its checkpoint for the next holder", "job_id", id)
	case err != nil:
		s.log.Warn("DLQ job stopped; it resumes from its checkpoint", "job_id", id, "error", err)
	default:
		s.log.Info("DLQ job ended", "job_id", id, "status", j.Status, "done", j.Done, "failed", j.Failed,
			"refused", j.Refused, "possible_duplicates", j.PossibleDuplicates, "took", time.Since(started).String())
	}
}
