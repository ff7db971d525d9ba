package cmdutil

import (
	"strings"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/spf13/cobra"
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
