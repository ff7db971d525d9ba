package auditcmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// completionScan is how many recent records a completion offers.
const completionScan = 100

// completeRecordIDs offers the ids of recent records, described by what
// they did, for `audit show`.
func completeRecordIDs(f *cmdutil.Factory) cobra.CompletionFunc {
	return cmdutil.CompleteFirstArg(func(ctx context.Context, prefix string) []cobra.Completion {
		a, err := f.Auditor(ctx)
		if err != nil {
			return nil
		}
		page, err := a.List(ctx, audit.Query{Limit: completionScan})
		if err != nil {
			return nil
		}
		var out []cobra.Completion
		for _, r := range page.Items {
			if strings.HasPrefix(r.ID, prefix) {
				out = append(out, cobra.CompletionWithDesc(r.ID, r.Action+" by "+r.Actor+", "+string(r.Outcome)))
			}
		}
		return out
	})
}
