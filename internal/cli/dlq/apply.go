package dlqcmd

import (
	"context"
	"fmt"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// NewManager builds the DLQ manager the commands use; withKafka attaches
// the producer retries, discards and their notifications need.
func NewManager(ctx context.Context, f *cmdutil.Factory, withKafka bool) (*dlq.Manager, error) {
	return newManager(ctx, f, managerNeeds{Kafka: withKafka})
}

// BatchRequest is a retry or discard of chosen messages made outside the
// command line (the dashboard).
type BatchRequest struct {
	Discard bool
	IDs     []string
	Reason  string // discard: required, stored as "manual: <reason>"
	// Group is the error pattern the ids were selected by, if any, and
	// Matched how many messages it matched; both go to the audit trail as
	// the selection.
	Group   string
	Matched int64
}

// ApplyBatch retries or discards r.IDs on m (which has a producer) as
// `dlq retry|discard ID... --yes` does: the same plan, refusals, audit
// record and outcome, and returns the command's summary line ("Retried 3
// of 4 messages, 1 refused (status retried is terminal)"). It prints
// nothing.
func ApplyBatch(ctx context.Context, f *cmdutil.Factory, m *dlq.Manager, r BatchRequest) (string, error) {
	act := batchAction{verb: "retry", past: "Retried", action: audit.DLQRetry, reason: r.Reason,
		apply: func(ctx context.Context, m *dlq.Manager, p *dlq.Plan, o dlq.BatchOptions) (*dlq.BatchResult, error) {
			return m.Retry(ctx, p, o)
		}}
	if r.Discard {
		act = batchAction{verb: "discard", past: "Discarded", action: audit.DLQDiscard, reason: r.Reason,
			apply: func(ctx context.Context, m *dlq.Manager, p *dlq.Plan, o dlq.BatchOptions) (*dlq.BatchResult, error) {
				return m.Discard(ctx, p, r.Reason, o)
			}}
	}
	o := &BatchOptions{cmdOptions: cmdOptions{Factory: f}, IDs: r.IDs}
	plan, err := makePlan(ctx, o, m, "")
	if err != nil {
		return "", err
	}
	if len(plan.Messages) == 0 {
		return "", exitcode.InvalidStatef("all %d messages are already retried or discarded; nothing to %s", len(plan.Refused), act.verb)
	}
	in := batchIntent(o, plan, act)
	if r.Group != "" {
		matched := r.Matched
		in.Filter, in.Matched = map[string]string{"error_group": r.Group}, &matched
	}
	rec, err := cmdutil.BeginAudit(ctx, f, in)
	if err != nil {
		return "", err
	}
	res, runErr := act.apply(ctx, m, plan, dlq.BatchOptions{})
	_ = rec.DoneWith(ctx, batchOutcome(res, runErr), nil)
	if res == nil {
		return "", fmt.Errorf("%s DLQ messages: %w", act.verb, runErr)
	}
	view := newBatchView(act.verb, res, plan, false)
	line := summaryLine(view, len(plan.Messages), act)
	if runErr != nil {
		return line, fmt.Errorf("%s: %w", line, runErr)
	}
	return line, outcome(view, len(plan.Messages), act)
}
