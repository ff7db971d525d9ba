// Package cli assembles replayctl's command tree. Each noun lives in its own
// sub-package; this file only wires them together with the global flags.
package cli

import (
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/configcmd"
	"github.com/integr8scode/replayctl/internal/cli/dev"
	"github.com/integr8scode/replayctl/internal/cli/status"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// NewCmdRoot builds the whole command tree around f.
func NewCmdRoot(f *cmdutil.Factory, build version.Info) *cobra.Command {
	f.Version = build.Version
	root := &cobra.Command{
		Use:   "replayctl",
		Short: "Replay stored events and administer the dead-letter queue",
		Long: `replayctl operates an event platform built on MongoDB and Kafka: it replays
stored events to Kafka or a file, administers the dead-letter queue, and runs
as a worker that does the platform's replay and DLQ processing.

Connection settings come from flags, then REPLAYCTL_* environment variables,
then the current context of the config file (see 'replayctl config'), then
defaults.`,
		Example: `  # Start a local platform with seed data, then check it from another shell
  replayctl dev --fresh --seed 2000
  replayctl --context dev status

  # Script-friendly output
  replayctl status -o json`,
		Version:       build.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate(build.String() + "\n")
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitcode.Help + "\n")

	cmdutil.AddGlobalFlags(root, f)
	registerGlobalCompletions(root, f)

	root.AddGroup(
		&cobra.Group{ID: "core", Title: "Core commands:"},
		&cobra.Group{ID: "setup", Title: "Setup commands:"},
	)
	add(root, "setup", status.NewCmdStatus(f, nil), dev.NewCmdDev(f, nil), configcmd.NewCmdConfig(f), version.NewCmdVersion(f, build))
	for _, c := range extraCommands(f) {
		add(root, c.group, c.cmd)
	}
	root.SetHelpCommandGroupID("setup")
	root.SetCompletionCommandGroupID("setup")
	return root
}

func add(root *cobra.Command, group string, cmds ...*cobra.Command) {
	for _, c := range cmds {
		c.GroupID = group
		root.AddCommand(c)
	}
}
