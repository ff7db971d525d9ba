package replaycmd

import (
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// ResumeOptions are the inputs of `replay resume`.
type ResumeOptions struct {
	baseOptions
	ID     string
	Detach bool
}

// NewCmdResume builds `replay resume`; runF replaces the run in flag tests.
func NewCmdResume(f *cmdutil.Factory, runF func(*ResumeOptions) error) *cobra.Command {
	opts := &ResumeOptions{baseOptions: baseOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "resume ID",
		Short: "Resume a paused session and run it here",
		Long: `Resume a paused session (paused -> running) and run it in this process from
its last checkpoint, with live progress, like 'replayctl replay start'.

Resume also takes over a running session whose runner died (its lease
expired, for example after kill -9): no event is lost, and events sent
after the last checkpoint may be sent again; the session counts them as
possible duplicates.

With --detach the session is only marked running, for a worker to execute.
Ctrl-C pauses it again and exits 130. Exits 0 when the session completed,
1 when it failed, 4 when it is neither paused nor an abandoned running
session.`,
		Example: `  replayctl replay resume 3f1c9a1e
  replayctl replay resume 3f1c9a1e --detach`,
		Args:              cmdutil.ExactArgs(1, "a session ID or unique prefix"),
		ValidArgsFunction: completeSessionIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx, opts.ID = cmd.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return resumeRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Detach, "detach", false, "only mark the session running, for a worker to execute")
	opts.bind(cmd)
	return cmd
}

func resumeRun(o *ResumeOptions) error {
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
	if !o.Detach {
		if err := prepareForeground(ctx, &o.baseOptions, p, svc, sess); err != nil {
			return err
		}
	}
	resumed, err := svc.Resume(ctx, sess.SessionID)
	if err != nil {
		return err
	}
	if o.Detach {
		return printDetached(o.Factory.IO, p, resumed)
	}
	return runForeground(ctx, &o.baseOptions, p, svc, resumed, startMode)
}
