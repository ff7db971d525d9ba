package cmdutil

import (
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/exitcode"
)

// ExactArgs is cobra.ExactArgs with a usage error (exit 2) and a hint.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == n {
			return nil
		}
		return exitcode.WithHint(
			exitcode.Usagef("%s takes %d argument(s) (%s), got %d", cmd.CommandPath(), n, what, len(args)),
			"see '"+cmd.CommandPath()+" --help'")
	}
}

// NoArgs rejects positional arguments with a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return exitcode.WithHint(exitcode.Usagef("unexpected argument %q for %s", args[0], cmd.CommandPath()),
		"see '"+cmd.CommandPath()+" --help'")
}

// MinimumArgs requires at least n arguments.
func MinimumArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= n {
			return nil
		}
		return exitcode.WithHint(exitcode.Usagef("%s requires %s", cmd.CommandPath(), what),
			"see '"+cmd.CommandPath()+" --help'")
	}
}
