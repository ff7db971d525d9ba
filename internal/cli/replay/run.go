package replaycmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
)

// RunOptions are the inputs of `replay run`.
type RunOptions struct {
	specOptions
}

// NewCmdRun builds `replay run`; runF replaces the run in flag tests.
func NewCmdRun(f *cmdutil.Factory, runF func(context.Context, *RunOptions) error) *cobra.Command {
	opts := &RunOptions{specOptions: specOptions{baseOptions: baseOptions{Factory: f}}}
	var flags *specFlags
	cmd := &cobra.Command{
		Use:   "run [flags]",
		Short: "Create, start and run a session in one step (for CI)",
		Long: `Create a session from the same flags as 'replayctl replay create' (or a
--from-file spec), start it and run it in this process until it ends, with
progress on stderr and a summary at the end (-o json: a summary object that
includes the session).

Exit codes are meant for CI jobs:
  0    completed, no failed events
  6    completed, but some events could not be sent (listed in the summary)
  1    the session failed (e.g. --fail-fast and an event could not be sent),
       or it was paused or cancelled from another shell
  2    invalid flags or spec (nothing was written)
  5    MongoDB or Kafka unreachable
  130  interrupted: the session is paused at its checkpoint; resume it with
       'replayctl replay resume ID'`,
		Example: `  # Replay one execution's events to Kafka and fail the job on any lost event
  replayctl replay run --execution-id 3f1c9a1e-4b7d-4c55-9f0e-1d2a3b4c5d6e --fail-fast

  # Dump yesterday's failed executions to a file
  replayctl replay run --type execution_failed --since 48h --until 24h --target file --out failed.jsonl

  # From a checked-in spec, JSON summary for the pipeline
  replayctl replay run --from-file ci/replay.yaml -o json > replay-summary.json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.completeSpec(flags); err != nil {
				return err
			}
			if err := checkRunVerify(opts); err != nil {
				return err
			}
			return cmdutil.Run(cmd, opts, runF, runRun)
		},
	}
	flags = addSpecFlags(cmd)
	opts.bind(cmd)
	opts.bindReason(cmd)
	opts.bindVerify(cmd)
	return cmd
}

func runRun(ctx context.Context, o *RunOptions) error {
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	rec, err := o.beginAudit(ctx, audit.ReplayRun, nil)
	if err != nil {
		return err
	}
	svc, sess, err := o.createSession(ctx, p, true, true)
	if err != nil {
		return rec.Done(ctx, err)
	}
	rec.AddTargets(sess.SessionID)
	fmt.Fprintf(o.Factory.IO.ErrOut, "Created session %s\n", sess.SessionID)
	return launch(ctx, &o.baseOptions, p, svc, sess, (*replay.Service).Start, false, runMode, rec)
}

// checkRunVerify refuses --verify where it cannot mean anything: a dry run
// sends nothing, and records written to stdout cannot be read back.
func checkRunVerify(o *RunOptions) error {
	switch {
	case !o.Verify:
		return nil
	case o.Spec.DryRun:
		return usageHint("--verify cannot be used with --dry-run: a dry run sends nothing", "drop --verify, or --dry-run")
	case o.Spec.Target == contract.TargetFile && o.Spec.Out == "-":
		return usageHint("--verify cannot be used with --out -: records written to stdout cannot be read back", "write to a file with --out PATH")
	}
	return nil
}
