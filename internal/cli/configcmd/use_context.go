package configcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/output"
)

// UseContextOptions are the inputs of `config use-context`.
type UseContextOptions struct {
	IO         *output.IOStreams
	ConfigFile func() (*config.File, string, error)
	Getenv     func(string) string

	Name string
}

// NewCmdUseContext builds `config use-context`; runF replaces the run in
// flag tests.
func NewCmdUseContext(f *cmdutil.Factory, runF func(context.Context, *UseContextOptions) error) *cobra.Command {
	opts := &UseContextOptions{IO: f.IO, ConfigFile: configFileFunc(f), Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "use-context NAME",
		Short: "Set the current context",
		Long: `Set the current-context of the configuration file to NAME, so that commands
without --context use it.

NAME must already exist (exit code 3 otherwise); create it with
'replayctl config set-context'. REPLAYCTL_CONTEXT, when set, still takes
precedence over the current context.`,
		Example: `  # Work against production from now on
  replayctl config use-context prod

  # One command against another context, without switching
  replayctl --context dev status`,
	}
	return bindName(cmd, &opts.Name, opts.ConfigFile, opts, runF, useContextRun)
}

func useContextRun(_ context.Context, opts *UseContextOptions) error {
	file, path, err := opts.ConfigFile()
	if err != nil {
		return err
	}
	if _, ok := file.Context(opts.Name); !ok {
		return contextNotFound(file, path, opts.Name)
	}
	if file.CurrentContext != opts.Name {
		file.CurrentContext = opts.Name
		if err := file.Save(path); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(opts.IO.Out, "Switched to context %s.\n", quoted(opts.Name)); err != nil {
		return err
	}
	if opts.Getenv != nil {
		if env := opts.Getenv(config.EnvContext); env != "" && env != opts.Name {
			fmt.Fprintf(opts.IO.ErrOut, "Warning: %s=%s is set and takes precedence over the current context in this shell.\n",
				config.EnvContext, env)
		}
	}
	return nil
}
