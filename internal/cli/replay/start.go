package replaycmd

import (
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// StartOptions are the inputs of `replay start`.
type StartOptions struct {
	baseOptions
	ID     string
	Detach bool
}

// NewCmdStart builds `replay start`; runF replaces the run in flag tests.
func NewCmdStart(f *cmdutil.Factory, runF func(*StartOptions) error) *cobra.Command {
	opts := &StartOptions{baseOptions: baseOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "start ID",
		Short: "Start a created session and run it here",
		Long: `Start a session (created -> running) and run it in this process until it
ends, with live progress on stderr: a progress bar with rate and ETA on a
terminal, a progress line every few seconds otherwise. At the end it prints
a summary (-o json: a summary object that includes the session).

Ctrl-C pauses the session at its last checkpoint and exits 130; resume it
later, here or on a worker, with 'replayctl replay resume ID'.

With --detach the session is only marked running, for a replayctl worker
to execute; follow it with 'replayctl replay watch ID'.

Exits 0 when the session completed (failed events are listed), 1 when it
failed, 4 when it is not in status created.`,
		Example: `  replayctl replay start 3f1c9a1e
  replayctl replay start 3f1c9a1e --detach
  replayctl replay start 3f1c9a1e -o json > summary.json`,
		Args:              cmdutil.ExactArgs(1, "a session ID or unique prefix"),
		ValidArgsFunction: completeSessionIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx, opts.ID = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return startRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Detach, "detach", false, "only mark the session running, for a worker to execute")
	opts.bind(cmd)
	return cmd
}

func startRun(o *StartOptions) error {
	ctx := o.runContext()
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	svc, err := o.service(ctx, false)
	if err != nil {
		return err
	}
	sess, err := svc.Resolve(ctx, o.ID)
	if err != nil {
		return err
	}
	return startAndRun(ctx, &o.baseOptions, p, svc, sess, o.Detach, startMode)
}
