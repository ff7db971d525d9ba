package dlqcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
)

// TopicsOptions are the inputs of `dlq topics`.
type TopicsOptions struct {
	Factory *cmdutil.Factory
	Ctx     context.Context
	Debug   bool

	Filter dlq.ListFilter // Limit and Offset page the topics, not messages
}

// NewCmdTopics builds `dlq topics`; runF replaces the run in flag tests.
func NewCmdTopics(f *cmdutil.Factory, runF func(*TopicsOptions) error) *cobra.Command {
	opts := &TopicsOptions{Factory: f}
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
  replayctl dlq topics -o json | jq -r '.[] | select(.by_status.pending > 0) | .topic'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filter, err := ff.toFilter(cmd, f.Now())
			if err != nil {
				return err
			}
			opts.Filter, opts.Ctx, opts.Debug = filter, cmd.Context(), debugEnabled(cmd)
			if runF != nil {
				return runF(opts)
			}
			return topicsRun(opts)
		},
	}
	addFilterFlags(cmd, &ff, &pagingHelp{limit: "show at most this many topics", offset: "skip this many topics"})
	_ = cmd.RegisterFlagCompletionFunc("topic", completeTopics(f))
	return cmd
}

func topicsRun(opts *TopicsOptions) error {
	f := opts.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	m, err := newManager(opts.Ctx, f, managerNeeds{Debug: opts.Debug})
	if err != nil {
		return err
	}
	filter := opts.Filter
	filter.Limit, filter.Offset = 0, 0
	sums, err := m.Topics(opts.Ctx, filter)
	if err != nil {
		return fmt.Errorf("summarise DLQ topics: %w", err)
	}
	return p.Print(newTopicList(page(sums, opts.Filter.Limit, opts.Filter.Offset), f.Now()))
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
