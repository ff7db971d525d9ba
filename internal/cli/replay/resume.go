package replaycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/replay"
)

// ResumeOptions are the inputs of `replay resume`.
type ResumeOptions struct {
	launchOptions
}

// NewCmdResume builds `replay resume`; runF replaces the run in flag tests.
func NewCmdResume(f *cmdutil.Factory, runF func(context.Context, *ResumeOptions) error) *cobra.Command {
	opts := &ResumeOptions{launchOptions: launchOptions{sessionOptions: newSessionOptions(f)}}
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
	}
	return bindLaunch(cmd, &opts.launchOptions, opts, runF, resumeRun)
}

func resumeRun(ctx context.Context, o *ResumeOptions) error {
	return launchRun(ctx, &o.launchOptions, audit.ReplayResume, (*replay.Service).Resume)
}
