package worker

import (
	"context"
	"time"

	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/wait"
)

// dlqBackoffBase is the first wait before restarting a failed processor.
const dlqBackoffBase = time.Second

// dlqLoop keeps the DLQ processor running until ctx is done, restarting it
// with back-off when it fails (a server away, a rebalance gone wrong).
// Process itself commits what it persisted before it returns.
func (s *supervisor) dlqLoop(ctx context.Context) {
	s.dlqRunning.Store(true)
	defer s.dlqRunning.Store(false)
	bo := backoff{base: dlqBackoffBase, max: s.o.MaxBackoff}
	for {
		started := time.Now()
		s.log.Info("DLQ processor starting", "group", s.o.Group)
		stats, err := s.w.DLQ.Process(ctx, dlq.ProcessOptions{Group: s.o.Group, PollInterval: s.o.PollInterval})
		if ctx.Err() != nil {
			s.log.Info("DLQ processor stopped", statsArgs(stats)...)
			return
		}
		// A processor that ran for a while was healthy: start over from the
		// shortest wait.
		if time.Since(started) > s.o.MaxBackoff {
			bo.reset()
		}
		d := bo.next()
		args := append([]any{"error", err, "restart_in", d.String()}, statsArgs(stats)...)
		s.log.Warn("DLQ processor stopped unexpectedly; restarting", args...)
		if wait.Sleep(ctx, d) != nil {
			return
		}
	}
}

func statsArgs(st dlq.ProcessStats) []any {
	return []any{"received", st.Received, "duplicates", st.Duplicates, "dropped", st.Dropped,
		"quarantined", st.Quarantined, "discarded", st.Discarded, "scheduled", st.Scheduled,
		"retried", st.Retried, "retry_failed", st.RetryFailed}
}
