package dlqcmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/flagvalue"
)

// Orders of `dlq errors`.
const (
	sortLastSeen = "last-seen"
	sortCount    = "count"
)

// ErrorsOptions are the inputs of `dlq errors`.
type ErrorsOptions struct {
	cmdOptions

	Filter      dlq.ListFilter // Limit and Offset page the groups, not messages
	Sort        string
	ShowInvalid bool
}

// NewCmdErrors builds `dlq errors`; runF replaces the run in flag tests.
func NewCmdErrors(f *cmdutil.Factory, runF func(context.Context, *ErrorsOptions) error) *cobra.Command {
	opts := &ErrorsOptions{cmdOptions: cmdOptions{Factory: f}}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "errors",
		Short: "Group DLQ messages by error to find the causes",
		Long: `Group dead-letter queue messages by their error message, so that the few
causes behind most of the queue stand out.

Errors are normalised before grouping: ids (UUIDs, hex ids), numbers,
quoted values and durations are replaced by placeholders such as <id>, <n>
and '<v>', so "timeout after 30s on pod exec-1f3a" and "timeout after 45s
on pod exec-9c2b" count as one cause. Each group shows how many messages it
holds, their topics and event types, and when it was first and last seen.

Newest last-seen first by default (what is failing right now); --sort count
puts the biggest causes first. Takes the same filters as 'dlq list'.`,
		Example: `  # What is failing right now?
  replayctl dlq errors --since 1h

  # The biggest causes among messages still waiting
  replayctl dlq errors --status pending,scheduled --sort count --limit 10

  # One example message per cause, for a ticket
  replayctl dlq errors -o json | jq -r '.items[] | "\(.count)\t\(.example)"'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filter, err := ff.toFilter(cmd, f.Now())
			if err != nil {
				return err
			}
			if opts.Sort, err = flagvalue.Choice("sort", opts.Sort, []string{sortLastSeen, sortCount}); err != nil {
				return err
			}
			opts.Filter = filter
			return dispatch(cmd, &opts.cmdOptions, opts, runF, errorsRun)
		},
	}
	addFilterFlags(cmd, &ff, &pagingHelp{limit: "show at most this many error groups", offset: "skip this many error groups"})
	cmd.Flags().StringVar(&opts.Sort, "sort", sortLastSeen, "order: last-seen (newest first) or count (largest first)")
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	_ = cmd.RegisterFlagCompletionFunc("topic", completeTopics(f))
	_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions([]string{sortLastSeen, sortCount}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func errorsRun(ctx context.Context, opts *ErrorsOptions) error {
	filter := opts.Filter
	// The domain orders the groups, with ties broken down to the pattern
	// for a stable output; the flag only names its order.
	filter.Sort = dlq.SortLastSeen
	if opts.Sort == sortCount {
		filter.Sort = dlq.SortCount
	}
	return summaryRun(ctx, &opts.cmdOptions, filter, opts.ShowInvalid, "group DLQ errors", (*dlq.Manager).ErrorsPage, newErrorsView)
}
