package replaycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/replay"
)

// PauseOptions are the inputs of `replay pause`.
type PauseOptions struct {
	sessionOptions
}

// NewCmdPause builds `replay pause`; runF replaces the run in flag tests.
func NewCmdPause(f *cmdutil.Factory, runF func(context.Context, *PauseOptions) error) *cobra.Command {
	opts := &PauseOptions{sessionOptions: newSessionOptions(f)}
	cmd := &cobra.Command{
		Use:   "pause ID",
		Short: "Pause a running session at its next checkpoint",
		Long: `Pause a running session. When a runner (this CLI in another shell, or a
worker) is executing it, the runner is asked to stop and this command waits
until it has checkpointed and marked the session paused, which takes at most
a couple of seconds. When nobody is running it, the status is changed
directly.

Resume it later with 'replayctl replay resume ID'. Pausing a session that
is not running exits 4 and says its current status.`,
		Example: `  replayctl replay pause 3f1c9a1e
  replayctl replay pause 3f1c9a1e -o json | jq .replayed_events`,
	}
	opts.bindReason(cmd)
	return bindSession(cmd, &opts.sessionOptions, opts, nil, runF, pauseRun)
}

func pauseRun(ctx context.Context, o *PauseOptions) error {
	return controlRun(ctx, &o.sessionOptions, audit.ReplayPause, "Paused", (*replay.Service).Pause)
}
