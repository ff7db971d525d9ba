package replaycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/replay"
)

// CancelOptions are the inputs of `replay cancel`.
type CancelOptions struct {
	sessionOptions
}

// NewCmdCancel builds `replay cancel`; runF replaces the run in flag tests.
func NewCmdCancel(f *cmdutil.Factory, runF func(context.Context, *CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{sessionOptions: newSessionOptions(f)}
	cmd := &cobra.Command{
		Use:   "cancel ID",
		Short: "Cancel a session that has not ended",
		Long: `Cancel a session in any status that is not final (created, scheduled,
running, paused). A runner executing it is asked to stop and this command
waits until it has checkpointed and marked the session cancelled. Events
already sent stay sent; a cancelled session cannot be resumed.

Cancelling a completed, failed or cancelled session exits 4 and says its
current status.`,
		Example: `  replayctl replay cancel 3f1c9a1e
  replayctl replay list --status paused -o json | jq -r '.[].session_id' | xargs -n1 replayctl replay cancel`,
	}
	opts.bindReason(cmd)
	return bindSession(cmd, &opts.sessionOptions, opts, nil, runF, cancelRun)
}

func cancelRun(ctx context.Context, o *CancelOptions) error {
	return controlRun(ctx, &o.sessionOptions, audit.ReplayCancel, "Cancelled", (*replay.Service).Cancel)
}
