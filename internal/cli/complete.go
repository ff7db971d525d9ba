package cli

import (
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/output"
)

// registerGlobalCompletions completes the values of the global flags that
// have a known set of answers.
func registerGlobalCompletions(root *cobra.Command, f *cmdutil.Factory) {
	_ = root.RegisterFlagCompletionFunc("output", completeFormats)
	_ = root.RegisterFlagCompletionFunc("context", completeContexts(f))
}

func completeFormats(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	formats := output.Formats()
	out := make([]cobra.Completion, len(formats))
	for i, fm := range formats {
		out[i] = fm.String()
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeContexts offers the contexts of the config file, which --config on
// the same command line may have chosen.
func completeContexts(f *cmdutil.Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return cmdutil.ContextNames(f.ConfigFile, toComplete)
	}
}
