package cmdutil

import (
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
)

// SkippedDocs converts the documents a read skipped into their list form.
func SkippedDocs(skipped []store.Skipped) []output.Skipped {
	out := make([]output.Skipped, len(skipped))
	for i, s := range skipped {
		out[i] = output.Skipped{ID: s.ID, Collection: s.Collection}
		if s.Err != nil {
			out[i].Error = s.Err.Error()
		}
	}
	return out
}

// AddShowInvalidFlag registers --show-invalid on a list command.
func AddShowInvalidFlag(cmd *cobra.Command, v *bool) {
	cmd.Flags().BoolVar(v, output.ShowInvalidFlag, false,
		"list the stored documents that could not be read and were skipped (on stderr)")
}
