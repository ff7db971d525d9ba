package dlqcmd

import (
	"context"
	"fmt"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
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
	act, o, plan, err := requestPlan(ctx, f, m, r)
	if err != nil {
		return "", err
	}
	if len(plan.Messages) == 0 && len(plan.Refused) == 0 {
		// Only a group's selection by status can come back empty: another
		// operator acted on its members since they were selected.
		return "No pending or scheduled messages left to " + act.verb + skippedNote(len(plan.Skipped)), nil
	}
	if len(plan.Messages) == 0 {
		return "", exitcode.InvalidStatef("all %d messages are already retried or discarded; nothing to %s", len(plan.Refused), act.verb)
	}
	rec, err := cmdutil.BeginAudit(ctx, f, requestIntent(o, plan, act, r))
	if err != nil {
		return "", err
	}
	res, runErr := act.apply(ctx, m, plan, dlq.BatchOptions{})
	_ = rec.DoneWith(ctx, batchOutcome(res, runErr), nil)
	if res == nil {
		return "", fmt.Errorf("%s DLQ messages: %w", act.verb, runErr)
	}
	view := newBatchView(act.verb, res, plan, false)
	line := summaryLine(view, len(plan.Messages), act) + skippedNote(len(plan.Skipped))
	if runErr != nil {
		return line, fmt.Errorf("%s: %w", line, runErr)
	}
	return line, outcome(view, len(plan.Messages), act)
}

// retryable are the statuses a retry or discard may act on.
var retryable = []contract.DLQStatus{contract.DLQPending, contract.DLQScheduled}

// skippedNote: "; 2 unreadable messages skipped".
func skippedNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "; 1 unreadable message skipped"
	}
	return fmt.Sprintf("; %d unreadable messages skipped", n)
}

// requestAction is the command's retry or discard for r.
func requestAction(r BatchRequest) batchAction {
	if r.Discard {
		return batchAction{verb: "discard", past: "Discarded", action: audit.DLQDiscard, reason: r.Reason,
			apply: func(ctx context.Context, m *dlq.Manager, p *dlq.Plan, o dlq.BatchOptions) (*dlq.BatchResult, error) {
				return m.Discard(ctx, p, r.Reason, o)
			}}
	}
	return batchAction{verb: "retry", past: "Retried", action: audit.DLQRetry, reason: r.Reason,
		apply: func(ctx context.Context, m *dlq.Manager, p *dlq.Plan, o dlq.BatchOptions) (*dlq.BatchResult, error) {
			return m.Retry(ctx, p, o)
		}}
}

// requestPlan is r's action, its options as the command would set them,
// and the plan they select.
func requestPlan(ctx context.Context, f *cmdutil.Factory, m *dlq.Manager, r BatchRequest) (batchAction, *BatchOptions, *dlq.Plan, error) {
	act := requestAction(r)
	o := requestOptions(f, r)
	plan, err := makePlan(ctx, o, m, "")
	return act, o, plan, err
}

// requestIntent is the audit record of r's plan; a group's pattern and
// match count stand as the selection.
func requestIntent(o *BatchOptions, plan *dlq.Plan, act batchAction, r BatchRequest) audit.Intent {
	in := batchIntent(o, plan, act)
	if r.Group != "" {
		matched := r.Matched
		in.Filter, in.Matched = map[string]string{"error_group": r.Group}, &matched
	}
	return in
}

// requestOptions selects r's messages as the command would.
func requestOptions(f *cmdutil.Factory, r BatchRequest) *BatchOptions {
	o := &BatchOptions{cmdOptions: cmdOptions{Factory: f}, IDs: r.IDs}
	if r.Group != "" {
		// A group's ids come from a projection that cannot tell whether the
		// whole document decodes; selecting them by filter skips and reports
		// an unreadable one, as `dlq retry --all --error` does, where a plan
		// by ids would fail the whole action on it as "not found".
		o.IDs, o.Filter = nil, dlq.ListFilter{EventIDs: r.IDs, Statuses: retryable}
	}
	return o
}

// DetachBatch hands r to a redrive job as `dlq retry|discard --all
// --detach --yes` does (the same plan, audit record and job) and returns
// the line naming the job. It prints nothing.
func DetachBatch(ctx context.Context, f *cmdutil.Factory, m *dlq.Manager, r BatchRequest) (string, error) {
	act, o, plan, err := requestPlan(ctx, f, m, r)
	if err != nil {
		return "", err
	}
	if len(plan.Messages) == 0 {
		return "No pending or scheduled messages left to " + act.verb + skippedNote(len(plan.Skipped)), nil
	}
	s, err := f.Settings()
	if err != nil {
		return "", err
	}
	w, err := f.Wiring(ctx)
	if err != nil {
		return "", err
	}
	spec := dlqjob.Spec{Kind: dlqjob.Kind(act.verb), Reason: act.reason, RequestedBy: s.Actor, Filter: o.Filter}
	for i := range plan.Messages {
		spec.EventIDs = append(spec.EventIDs, plan.Messages[i].EventID())
	}
	in := requestIntent(o, plan, act, r)
	in.Action = audit.DLQJobCreate
	in.Params = withParam(in.Params, "kind", act.verb)
	rec, err := cmdutil.BeginAudit(ctx, f, in)
	if err != nil {
		return "", err
	}
	job, err := w.DLQJobs(m).Create(ctx, spec)
	if err != nil {
		return "", rec.Done(ctx, fmt.Errorf("create the %s job: %w", act.verb, err))
	}
	rec.AddTargets(job.ID)
	_ = rec.Done(ctx, nil)
	return fmt.Sprintf("Created %s job %s for %d messages; a worker carries it out", act.verb, output.ShortID(job.ID), job.ToMove) +
		skippedNote(len(plan.Skipped)), nil
}
