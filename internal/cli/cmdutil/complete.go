package cmdutil

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/config"
)

// ContextNames offers the names of the config file's contexts that start
// with prefix; the file is the one load finds, which --config on the same
// command line may have chosen.
func ContextNames(load func() (*config.File, string, error), prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	file, _, err := load()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, name := range file.ContextNames() {
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// Group finishes a command that only groups verbs: it takes no arguments
// and shows its help when run alone.
func Group(cmd *cobra.Command, verbs ...*cobra.Command) *cobra.Command {
	cmd.Args = NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	cmd.AddCommand(verbs...)
	return cmd
}

// completionTimeout keeps a <TAB> on an unreachable server short.
const completionTimeout = 3 * time.Second

// CompleteFirstArg completes a command's first positional argument with
// what lookup finds for the typed prefix, within a short deadline, and
// never offers file names. Lookup errors offer nothing: a shell must not
// show them.
func CompleteFirstArg(lookup func(ctx context.Context, prefix string) []cobra.Completion) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		parent := cmd.Context()
		if parent == nil {
			parent = context.Background()
		}
		ctx, cancel := context.WithTimeout(parent, completionTimeout)
		defer cancel()
		return lookup(ctx, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}
