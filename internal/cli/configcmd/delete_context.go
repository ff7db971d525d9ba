package configcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/output"
)

// DeleteContextOptions are the inputs of `config delete-context`.
type DeleteContextOptions struct {
	IO         *output.IOStreams
	ConfigFile func() (*config.File, string, error)

	Name string
}

// NewCmdDeleteContext builds `config delete-context`; runF replaces the run
// in flag tests.
func NewCmdDeleteContext(f *cmdutil.Factory, runF func(context.Context, *DeleteContextOptions) error) *cobra.Command {
	opts := &DeleteContextOptions{IO: f.IO, ConfigFile: configFileFunc(f)}
	cmd := &cobra.Command{
		Use:   "delete-context NAME",
		Short: "Delete a context from the config file",
		Long: `Delete the context NAME from the configuration file.

A NAME that does not exist is an error (exit code 3). Deleting the current
context leaves no context current; pick another with
'replayctl config use-context'.`,
		Example: `  # Remove a context that is no longer needed
  replayctl config delete-context old-staging`,
	}
	return bindName(cmd, &opts.Name, opts.ConfigFile, opts, runF, deleteContextRun)
}

func deleteContextRun(_ context.Context, opts *DeleteContextOptions) error {
	file, path, err := opts.ConfigFile()
	if err != nil {
		return err
	}
	wasCurrent := file.CurrentContext == opts.Name
	if !file.DeleteContext(opts.Name) {
		return contextNotFound(file, path, opts.Name)
	}
	if err := file.Save(path); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(opts.IO.Out, "Deleted context %s.\n", quoted(opts.Name)); err != nil {
		return err
	}
	if wasCurrent {
		fmt.Fprintf(opts.IO.ErrOut, "Warning: %s was the current context; no context is current now. Pick one with `replayctl config use-context NAME`.\n",
			quoted(opts.Name))
	}
	return nil
}
