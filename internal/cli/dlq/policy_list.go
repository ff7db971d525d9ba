package dlqcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
)

// PolicyListOptions are the inputs of `dlq policy list`.
type PolicyListOptions struct {
	cmdOptions
	ShowInvalid bool
}

// NewCmdPolicyList builds `dlq policy list`; runF replaces the run in flag tests.
func NewCmdPolicyList(f *cmdutil.Factory, runF func(context.Context, *PolicyListOptions) error) *cobra.Command {
	opts := &PolicyListOptions{cmdOptions: cmdOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the retry policy presets and every per-topic override",
		Long: `List the four retry policy presets with the event types each covers, then
every per-topic override stored in MongoDB with when and by whom it was set.

In the table COVERS names the categories and counts the event types; -o json
includes the full list of event types for each preset.`,
		Example: `  replayctl dlq policy list

  # Which preset covers pod_failed?
  replayctl dlq policy list -o json | jq -r '.items[] | select(.kind == "preset" and (.event_types // [] | index("pod_failed"))) | .name'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return dispatch(cmd, &opts.cmdOptions, opts, runF, policyListRun)
		},
	}
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	return cmd
}

func policyListRun(ctx context.Context, opts *PolicyListOptions) error {
	f := opts.Factory
	p, m, err := opts.printerAndManager(ctx, managerNeeds{})
	if err != nil {
		return err
	}
	page, err := m.Overrides(ctx)
	if err != nil {
		return fmt.Errorf("list retry policy overrides: %w", err)
	}
	view := newPolicyListView(dlq.Presets(), page.Items, f.Now())
	view.Skipped = cmdutil.SkippedDocs(page.Skipped)
	if err := p.Print(view); err != nil {
		return err
	}
	p.ReportSkipped(view.Skipped, opts.ShowInvalid)
	return nil
}
