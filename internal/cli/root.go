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

// globalFlags are the persistent flags whose explicit values override the
// environment and the config file (see config.Resolve).
var globalFlags = []string{"mongo-uri", "database", "kafka-brokers", "topic-prefix", "context", "config", "output", "timeout", "no-color"}

// NewCmdRoot builds the whole command tree around f.
func NewCmdRoot(f *cmdutil.Factory, build version.Info) *cobra.Command {
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
		PersistentPreRunE: func(*cobra.Command, []string) error {
			// Commands that never resolve settings (config) still obey --no-color.
			if f.GlobalOverrides()["no-color"] == "true" {
				f.IO.SetColorEnabled(false)
			}
			return nil
		},
	}
	root.SetVersionTemplate(build.String() + "\n")
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitcode.Help + "\n")

	pf := root.PersistentFlags()
	pf.String("mongo-uri", "", "MongoDB connection URI (env REPLAYCTL_MONGO_URI)")
	pf.String("database", "", `MongoDB database (env REPLAYCTL_DATABASE, default "integr8scode_db")`)
	pf.String("kafka-brokers", "", "comma-separated Kafka bootstrap brokers (env REPLAYCTL_KAFKA_BROKERS)")
	pf.String("topic-prefix", "", "prefix of every Kafka topic name (env REPLAYCTL_TOPIC_PREFIX)")
	pf.String("context", "", "config context to use (env REPLAYCTL_CONTEXT)")
	pf.String("config", "", "config file (env REPLAYCTL_CONFIG, default $XDG_CONFIG_HOME/replayctl/config.yaml)")
	pf.StringP("output", "o", "", "output format: table|json|yaml (env REPLAYCTL_OUTPUT)")
	pf.Bool("no-color", false, "disable colour (also NO_COLOR)")
	pf.Duration("timeout", 0, "give up on an unreachable server after this long (env REPLAYCTL_TIMEOUT, default 10s)")
	f.BindGlobalFlags(pf, globalFlags)
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
