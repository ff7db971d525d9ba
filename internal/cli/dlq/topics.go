package dlqcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
)

// TopicsOptions are the inputs of `dlq topics`.
type TopicsOptions struct {
	cmdOptions

	Filter      dlq.ListFilter // Limit and Offset page the topics, not messages
	ShowInvalid bool
}

// NewCmdTopics builds `dlq topics`; runF replaces the run in flag tests.
func NewCmdTopics(f *cmdutil.Factory, runF func(context.Context, *TopicsOptions) error) *cobra.Command {
	opts := &TopicsOptions{cmdOptions: cmdOptions{Factory: f}}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "topics",
		Short: "Summarise the DLQ per original topic",
		Long: `Summarise dead-letter queue messages per original topic: how many there are
in total and in each status, the oldest and newest failure, and the average
and highest retry count.

Takes the same filters as 'dlq list'; for example --since 24h summarises
only the last day's failures. --limit and --offset page the topics.`,
		Example: `  replayctl dlq topics
  replayctl dlq topics --status pending,scheduled --since 7d

  # Topics with messages still waiting, for a script
  replayctl dlq topics -o json | jq -r '.items[] | select(.by_status.pending > 0) | .topic'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filter, err := ff.toFilter(cmd, f.Now())
			if err != nil {
				return err
			}
			opts.Filter = filter
			return dispatch(cmd, &opts.cmdOptions, opts, runF, topicsRun)
		},
	}
	addFilterFlags(cmd, &ff, &pagingHelp{limit: "show at most this many topics", offset: "skip this many topics"})
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	_ = cmd.RegisterFlagCompletionFunc("topic", completeTopics(f))
	return cmd
}

func topicsRun(ctx context.Context, opts *TopicsOptions) error {
	return summaryRun(ctx, &opts.cmdOptions, opts.Filter, opts.ShowInvalid, "summarise DLQ topics", (*dlq.Manager).TopicsPage, newTopicsView)
}

// summaryRun is errors and topics: rows computed over every message the
// filter selects, then paged, because --limit and --offset count rows
// (topics, error groups), not messages. what names the step in errors.
func summaryRun[T, V any](ctx context.Context, o *cmdOptions, filter dlq.ListFilter, showInvalid bool, what string,
	rows func(*dlq.Manager, context.Context, dlq.ListFilter) (store.Page[T], error),
	view func([]T, int64, []output.Skipped, time.Time) V) error {
	p, m, err := o.printerAndManager(ctx, managerNeeds{})
	if err != nil {
		return err
	}
	all := filter
	all.Limit, all.Offset = 0, 0
	got, err := rows(m, ctx, all)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	skipped := cmdutil.SkippedDocs(got.Skipped)
	if err := p.Print(view(page(got.Items, filter.Limit, filter.Offset), int64(len(got.Items)), skipped, o.Factory.Now())); err != nil {
		return err
	}
	p.ReportSkipped(skipped, showInvalid)
	return nil
}

// page applies --limit/--offset to rows computed in full (a limit of 0
// means all of them).
func page[T any](rows []T, limit, offset int64) []T {
	if offset >= int64(len(rows)) {
		return nil
	}
	rows = rows[offset:]
	if limit > 0 && limit < int64(len(rows)) {
		rows = rows[:limit]
	}
	return rows
}
