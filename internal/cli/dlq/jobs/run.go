package jobscmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/output"
)

// RunOptions are the inputs of `dlq jobs run`.
type RunOptions struct{ jobOptions }

// NewCmdRun builds `dlq jobs run`.
func NewCmdRun(f *cmdutil.Factory, runF func(context.Context, *RunOptions) error) *cobra.Command {
	opts := &RunOptions{jobOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "run JOB_ID",
		Short: "Run a redrive job in the foreground",
		Long: `Take a pending job (or one whose holder is gone) and carry it out here, with
a progress bar. Another live holder is a conflict (exit 4).

Ctrl-C releases the job at its next checkpoint (within about a second):
it goes back to pending, for a worker or a later 'run', and resumes where
it stopped. Exit codes as for 'dlq jobs watch'.`,
		Example: `  replayctl dlq jobs run 7c1e`,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmdutil.Run(cmd, opts, runF, runRun) },
	}
	idArg(cmd, f, &opts.jobOptions)
	return cmd
}

func runRun(ctx context.Context, o *RunOptions) error {
	f := o.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	svc, err := service(ctx, f, true)
	if err != nil {
		return err
	}
	var bar *output.Progress
	j, err := svc.Run(ctx, o.ID, dlqjob.RunOptions{Progress: func(j *dlqjob.Job) {
		if bar == nil {
			bar = output.NewProgress(f.IO, progressLabel(j), j.ToMove)
		}
		bar.Update(j.Handled(), j.Failed)
	}})
	if bar != nil {
		bar.Finish()
	}
	if errors.Is(err, dlqjob.ErrReleased) {
		fmt.Fprintf(f.IO.ErrOut, "Released job %s at its checkpoint (%d of %d done); it is pending again.\nResume it with 'replayctl dlq jobs run %s', or let a worker take it.\n",
			j.ID, j.Done, j.ToMove, output.ShortID(j.ID))
		return fmt.Errorf("job %s released: %w", j.ID, context.Canceled)
	}
	if err != nil {
		return err
	}
	if err := p.Print(NewJobView(j, f.Now(), false)); err != nil {
		return err
	}
	return outcome(j)
}
