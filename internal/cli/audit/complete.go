package auditcmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

const (
	// completionTimeout keeps a <TAB> on an unreachable server short.
	completionTimeout = 2 * time.Second
	// completionScan is how many recent records a completion offers.
	completionScan = 100
)

// completeRecordIDs offers the ids of recent records, described by what
// they did, for `audit show`.
func completeRecordIDs(f *cmdutil.Factory) cobra.CompletionFunc {
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
		a, err := f.Auditor(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		page, err := a.List(ctx, audit.Query{Limit: completionScan})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, r := range page.Items {
			if strings.HasPrefix(r.ID, toComplete) {
				out = append(out, cobra.CompletionWithDesc(r.ID, r.Action+" by "+r.Actor+", "+string(r.Outcome)))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
