package configcmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// CurrentContextOptions are the inputs of `config current-context`.
type CurrentContextOptions struct {
	IO         *output.IOStreams
	ConfigFile func() (*config.File, string, error)
}

// NewCmdCurrentContext builds `config current-context`; runF replaces the
// run in flag tests.
func NewCmdCurrentContext(f *cmdutil.Factory, runF func(context.Context, *CurrentContextOptions) error) *cobra.Command {
	opts := &CurrentContextOptions{IO: f.IO, ConfigFile: configFileFunc(f)}
	return &cobra.Command{
		Use:   "current-context",
		Short: "Print the name of the current context",
		Long: `Print the current-context of the configuration file: the context used when
neither --context nor REPLAYCTL_CONTEXT names one.

It is an error (exit code 1) when no current context is set.`,
		Example: `  # Show the current context
  replayctl config current-context

  # Use it in a prompt or script
  ctx=$(replayctl config current-context 2>/dev/null) || ctx=none`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmdutil.Run(cmd, opts, runF, currentContextRun)
		},
	}
}

func currentContextRun(_ context.Context, opts *CurrentContextOptions) error {
	file, _, err := opts.ConfigFile()
	if err != nil {
		return err
	}
	if file.CurrentContext == "" {
		return exitcode.WithHint(errors.New("current-context is not set"),
			"use `replayctl config use-context NAME`")
	}
	_, err = fmt.Fprintln(opts.IO.Out, file.CurrentContext)
	return err
}
