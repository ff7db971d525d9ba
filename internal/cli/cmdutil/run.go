package cmdutil

import (
	"context"

	"github.com/spf13/cobra"
)

// Run is the end of every command's RunE: it hands the command's context
// and the parsed options to runF when a flag test set one, else to run.
// Options never carry the context.
func Run[O any](cmd *cobra.Command, opts O, runF, run func(context.Context, O) error) error {
	if runF != nil {
		return runF(cmd.Context(), opts)
	}
	return run(cmd.Context(), opts)
}
