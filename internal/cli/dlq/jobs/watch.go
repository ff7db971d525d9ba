package jobscmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/wait"
)

// minWatchInterval keeps a typo like --interval 1ms from hammering the server.
const minWatchInterval = 100 * time.Millisecond

// WatchOptions are the inputs of `dlq jobs watch`.
type WatchOptions struct {
	jobOptions
	Interval time.Duration
}

// NewCmdWatch builds `dlq jobs watch`.
func NewCmdWatch(f *cmdutil.Factory, runF func(context.Context, *WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{jobOptions: jobOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "watch JOB_ID",
		Short: "Follow a redrive job until it ends",
		Long: `Follow a job that a worker (or another shell) runs: a progress bar on a
terminal, a progress line every few seconds otherwise, and the job when it
ends. Watching only reads; Ctrl-C stops watching and leaves the job alone.

Exits 0 when the job completed, 6 when it completed but some messages
failed, 1 when it failed, 4 when it was cancelled.`,
		Example: `  replayctl dlq jobs watch 7c1e
  replayctl dlq jobs watch 7c1e --interval 5s -o json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Interval < minWatchInterval {
				return exitcode.Usagef("invalid --interval %s: must be at least %s", opts.Interval, minWatchInterval)
			}
			return cmdutil.Run(cmd, opts, runF, watchRun)
		},
	}
	idArg(cmd, f, &opts.jobOptions)
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "how often to read the job")
	return cmd
}

func watchRun(ctx context.Context, o *WatchOptions) error {
	f := o.Factory
	p, svc, j, err := resolve(ctx, f, o.ID)
	if err != nil {
		return err
	}
	var bar *output.Progress
	for !j.Status.Terminal() {
		if bar == nil {
			bar = output.NewProgress(f.IO, progressLabel(j), j.ToMove)
		}
		bar.Update(j.Handled(), j.Failed)
		if err := wait.Sleep(ctx, o.Interval); err != nil {
			bar.Finish()
			fmt.Fprintf(f.IO.ErrOut, "Stopped watching job %s; it goes on.\n", j.ID)
			return fmt.Errorf("watch of job %s interrupted: %w", j.ID, context.Canceled)
		}
		next, err := svc.Get(ctx, j.ID)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				continue
			}
			bar.Finish()
			return err
		}
		j = next
	}
	if bar != nil {
		bar.Update(j.Handled(), j.Failed)
		bar.Finish()
	}
	if err := p.Print(NewJobView(j, f.Now(), false)); err != nil {
		return err
	}
	return outcome(j)
}

func progressLabel(j *dlqjob.Job) string {
	if j.Kind == dlqjob.KindDiscard {
		return "Discarding"
	}
	return "Retrying"
}
