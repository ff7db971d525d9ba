package jobscmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/output"
)

// CancelOptions are the inputs of `dlq jobs cancel`.
type CancelOptions struct {
	jobOptions
	Reason string
}

// NewCmdCancel builds `dlq jobs cancel`.
func NewCmdCancel(f *cmdutil.Factory, runF func(context.Context, *CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{jobOptions: jobOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "cancel JOB_ID",
		Short: "Stop a pending or running redrive job",
		Long: `Cancel a job that is pending or running. A pending job is cancelled at once.
A running job's holder is asked to stop: it does within 2 seconds, before
its next chunk, and marks the job cancelled. Messages already sent stay
sent; the rest are left as they are. A finished job cannot be cancelled
(exit 4).`,
		Example: `  replayctl dlq jobs cancel 7c1e --reason "wrong topic"`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Reason = strings.TrimSpace(opts.Reason)
			return cmdutil.Run(cmd, opts, runF, cancelRun)
		},
	}
	idArg(cmd, f, &opts.jobOptions)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why: recorded in the audit trail and in the job")
	return cmd
}

func cancelRun(ctx context.Context, o *CancelOptions) error {
	f := o.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	j, how, err := Cancel(ctx, f, o.ID, o.Reason)
	if err != nil {
		return err
	}
	if p.Format() != output.FormatTable {
		return p.Print(NewJobView(j, f.Now(), how == dlqjob.CancelRequested))
	}
	if how == dlqjob.CancelApplied {
		fmt.Fprintf(f.IO.ErrOut, "Cancelled job %s (%d of %d messages done).\n", j.ID, j.Done, j.ToMove)
		return nil
	}
	fmt.Fprintf(f.IO.ErrOut, "Asked the holder of job %s (%s) to stop: a live holder stops within 2 seconds; if it died, the next holder applies the request before sending anything.\nFollow it with 'replayctl dlq jobs watch %s'.\n",
		j.ID, j.Holder.Owner, output.ShortID(j.ID))
	return nil
}

// Cancel cancels a job (an id or unique prefix) as `dlq jobs cancel`
// does, audited as dlq.job.cancel with the settings' actor, and says
// whether it was cancelled at once or its holder was asked to stop. It
// prints nothing (the dashboard's cancel).
func Cancel(ctx context.Context, f *cmdutil.Factory, id, reason string) (*dlqjob.Job, dlqjob.CancelOutcome, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, "", err
	}
	svc, err := service(ctx, f, false)
	if err != nil {
		return nil, "", err
	}
	rec, err := cmdutil.BeginAudit(ctx, f, audit.Intent{Action: audit.DLQJobCancel, Targets: []string{id}, Reason: reason})
	if err != nil {
		return nil, "", err
	}
	j, how, err := svc.Cancel(ctx, id, s.Actor, reason)
	if err != nil {
		return nil, "", rec.Done(ctx, err)
	}
	if j.ID != id {
		rec.AddTargets(j.ID) // the full id of a prefix
	}
	return j, how, rec.Done(ctx, nil)
}
