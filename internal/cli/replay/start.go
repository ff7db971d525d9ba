package replaycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/replay"
)

// StartOptions are the inputs of `replay start`.
type StartOptions struct {
	launchOptions
}

// NewCmdStart builds `replay start`; runF replaces the run in flag tests.
func NewCmdStart(f *cmdutil.Factory, runF func(context.Context, *StartOptions) error) *cobra.Command {
	opts := &StartOptions{launchOptions: launchOptions{sessionOptions: newSessionOptions(f)}}
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
	}
	return bindLaunch(cmd, &opts.launchOptions, opts, runF, startRun)
}

func startRun(ctx context.Context, o *StartOptions) error {
	return launchRun(ctx, &o.launchOptions, audit.ReplayStart, (*replay.Service).Start)
}
