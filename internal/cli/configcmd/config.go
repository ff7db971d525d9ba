// Package configcmd implements `replayctl config`: viewing and editing the
// contexts of replayctl's configuration file.
package configcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// NewCmdConfig builds `replayctl config` and its verbs.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "View and edit connection contexts in the config file",
		Long: `Manage the contexts of replayctl's configuration file.

A context is a named set of connection settings: MongoDB URI and database,
Kafka brokers, topic prefix, DLQ topic, collection names, Kafka TLS and
SASL, and whether Kafka clients ask for topic auto-creation
(kafka-auto-create-topics, default false; 'replayctl dev' sets it). The current context is used when neither --context nor
REPLAYCTL_CONTEXT names one. Flags and REPLAYCTL_* environment variables
override the context's values for a single command.

The file is $XDG_CONFIG_HOME/replayctl/config.yaml (or
$HOME/.config/replayctl/config.yaml) unless --config or REPLAYCTL_CONFIG
says otherwise. It may hold passwords, so replayctl writes it with mode 0600
and never prints a password.`,
		Example: `  # Create a context for a staging cluster and make it current
  replayctl config set-context staging --mongo-uri mongodb://db.staging:27017 \
    --kafka-brokers kafka1.staging:9092,kafka2.staging:9092 --current

  # List contexts and switch between them
  replayctl config get-contexts
  replayctl config use-context prod

  # Show the whole file, passwords redacted
  replayctl config view`,
	}
	return cmdutil.Group(cmd,
		NewCmdView(f, nil),
		NewCmdGetContexts(f, nil),
		NewCmdCurrentContext(f, nil),
		NewCmdUseContext(f, nil),
		NewCmdSetContext(f, nil),
		NewCmdDeleteContext(f, nil),
	)
}

// configFileFunc returns f.ConfigFile, made tolerant of a file whose
// selected context cannot be resolved: the factory resolves all settings
// before it hands out the file, so a dangling current-context, a typo in
// REPLAYCTL_CONTEXT or a bad value in the current context would otherwise
// also break the very commands that repair them. On such a
// *config.ValidationError the file is loaded directly from the configured
// path; errors reading or parsing the file are returned as they are.
func configFileFunc(f *cmdutil.Factory) func() (*config.File, string, error) {
	return func() (*config.File, string, error) {
		if f.ConfigFile != nil {
			file, path, err := f.ConfigFile()
			var ve *config.ValidationError
			if err == nil || !errors.As(err, &ve) {
				return file, path, err
			}
		}
		path := config.ConfigPath(f.GlobalOverrides(), f.Getenv)
		file, err := config.Load(path)
		if err != nil {
			return nil, "", err
		}
		return file, path, nil
	}
}

// contextNotFound is the exit-3 error for a context name missing from file.
func contextNotFound(file *config.File, path, name string) error {
	where := "the config file"
	if path != "" {
		where = path
	}
	names := file.ContextNames()
	if len(names) == 0 {
		return exitcode.WithHint(exitcode.NotFoundf("context %q not found: %s has no contexts", name, where),
			"create one with `replayctl config set-context NAME --mongo-uri ... --kafka-brokers ...`")
	}
	return exitcode.WithHint(
		exitcode.NotFoundf("context %q not found in %s (available: %s)", name, where, strings.Join(names, ", ")),
		"list them with `replayctl config get-contexts`")
}

// usageIfInvalid gives *config.ValidationError the usage exit code (2).
func usageIfInvalid(err error) error {
	var ve *config.ValidationError
	if errors.As(err, &ve) {
		return exitcode.New(exitcode.Usage, err)
	}
	return err
}

// bindName finishes a verb taking one context NAME: the argument and its
// completion, stored in *name before opts go to runF or run.
func bindName[O any](cmd *cobra.Command, name *string, load func() (*config.File, string, error), opts O, runF, run func(context.Context, O) error) *cobra.Command {
	cmd.Args = cmdutil.ExactArgs(1, "NAME")
	cmd.ValidArgsFunction = completeContextNames(load)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		*name = args[0]
		return cmdutil.Run(cmd, opts, runF, run)
	}
	return cmd
}

// completeContextNames offers the file's context names for the first argument.
func completeContextNames(load func() (*config.File, string, error)) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return cmdutil.ContextNames(load, toComplete)
	}
}

// quoted formats a context name the way every message shows it.
func quoted(name string) string { return fmt.Sprintf("%q", name) }
