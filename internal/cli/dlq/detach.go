package dlqcmd

import (
	"context"
	"fmt"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	jobscmd "github.com/integr8scode/replayctl/internal/cli/dlq/jobs"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/output"
)

// detachRun creates a redrive job from a confirmed plan instead of acting:
// ids as given (resolved to full ids), a filter as given, or, when --limit
// or --offset picked part of the matches, the ids of that part.
func detachRun(ctx context.Context, o *BatchOptions, p *output.Printer, m *dlq.Manager, plan *dlq.Plan, act batchAction) error {
	f := o.Factory
	s, err := f.Settings()
	if err != nil {
		return err
	}
	w, err := f.Wiring(ctx)
	if err != nil {
		return err
	}
	spec := dlqjob.Spec{Kind: dlqjob.Kind(act.verb), Rate: o.Rate, ToTopic: act.toTopic,
		Reason: act.reason, RequestedBy: s.Actor, Filter: o.Filter}
	if len(o.IDs) > 0 || o.Filter.Limit > 0 || o.Filter.Offset > 0 {
		for i := range plan.Messages {
			spec.EventIDs = append(spec.EventIDs, plan.Messages[i].EventID())
		}
	}
	in := batchIntent(o, plan, act)
	in.Action = audit.DLQJobCreate
	in.Params = withParam(in.Params, "kind", act.verb)
	rec, err := cmdutil.BeginAudit(ctx, f, in)
	if err != nil {
		return err
	}
	job, err := w.DLQJobs(m).Create(ctx, spec)
	if err != nil {
		err = fmt.Errorf("create the %s job: %w", act.verb, err)
		return rec.Done(ctx, err)
	}
	rec.AddTargets(job.ID)
	rec.Done(ctx, nil)
	if p.Format() != output.FormatTable {
		return p.Print(jobscmd.NewJobView(job, f.Now(), false))
	}
	fmt.Fprintln(f.IO.Out, job.ID)
	fmt.Fprintf(f.IO.ErrOut, "Created %s job %s for %d messages; a worker (or 'replayctl dlq jobs run %s') carries it out.\nFollow it with 'replayctl dlq jobs watch %s'.\n",
		act.verb, job.ID, job.ToMove, output.ShortID(job.ID), output.ShortID(job.ID))
	return nil
}

// withParam adds one parameter to an intent's params.
func withParam(params map[string]string, key, value string) map[string]string {
	if params == nil {
		params = map[string]string{}
	}
	params[key] = value
	return params
}
