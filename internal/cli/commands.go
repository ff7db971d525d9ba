package cli

import (
	"github.com/spf13/cobra"

	auditcmd "github.com/integr8scode/replayctl/internal/cli/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	dlqcmd "github.com/integr8scode/replayctl/internal/cli/dlq"
	leasescmd "github.com/integr8scode/replayctl/internal/cli/leases"
	replaycmd "github.com/integr8scode/replayctl/internal/cli/replay"
	uicmd "github.com/integr8scode/replayctl/internal/cli/ui"
	workercmd "github.com/integr8scode/replayctl/internal/cli/worker"
)

type groupedCommand struct {
	group string
	cmd   *cobra.Command
}

// extraCommands lists the nouns beyond the setup commands.
func extraCommands(f *cmdutil.Factory) []groupedCommand {
	return []groupedCommand{
		{"core", replaycmd.NewCmdReplay(f)},
		{"core", dlqcmd.NewCmdDLQ(f)},
		{"core", workercmd.NewCmdWorker(f)},
		{"core", auditcmd.NewCmdAudit(f)},
		{"core", uicmd.NewCmdUI(f, nil)},
		{"core", leasescmd.NewCmdLeases(f, nil)},
	}
}
