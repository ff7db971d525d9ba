// Package auditcmd implements `replayctl audit`: reading and pruning the
// trail of operator actions that internal/audit records.
package auditcmd

import (
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// NewCmdAudit builds `replayctl audit` and its verbs.
func NewCmdAudit(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit <command>",
		Short: "Read the audit trail of operator actions",
		Long: `Every replayctl command that changes state (replay create, run, start,
pause, resume, cancel and cleanup; dlq retry, discard, policy set and
unset; audit prune) records who did what, to which ids, why, and how it
ended, in the replayctl_audit collection.

The record of intent is written before the change, and the outcome after
it: a record whose outcome is "unknown" is an action whose process died
(or lost MongoDB) in between. If the intent cannot be written, the command
does nothing and exits 5.

The actor is --actor, else REPLAYCTL_ACTOR, else the context's actor,
else $USER@hostname. Give --reason on any changing command to say why.`,
		Example: `  # What happened today, and who did it?
  replayctl audit list --since 1d

  # Everything done to one session
  replayctl audit list --target 3f1c9a1e

  # Retention
  replayctl audit prune --older-than 180d --yes`,
	}
	return cmdutil.Group(cmd,
		NewCmdList(f, nil),
		NewCmdShow(f, nil),
		NewCmdPrune(f, nil),
	)
}
