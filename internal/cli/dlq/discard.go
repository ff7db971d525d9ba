package dlqcmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// DiscardOptions are the inputs of `dlq discard`.
type DiscardOptions struct {
	BatchOptions
	Reason string
}

// NewCmdDiscard builds `dlq discard`; runF replaces the run in flag tests.
func NewCmdDiscard(f *cmdutil.Factory, runF func(context.Context, *DiscardOptions) error) *cobra.Command {
	opts := &DiscardOptions{BatchOptions: BatchOptions{cmdOptions: cmdOptions{Factory: f}}}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "discard [EVENT_ID...] --reason TEXT",
		Short: "Give up on DLQ messages for good",
		Long: `Mark messages discarded so that nothing retries them again, and publish a
dlq_message_discarded event. The reason is required and stored as
"manual: <reason>", so the next person to look knows why.

Selection, confirmation and dry-run work as for 'dlq retry': EVENT_IDs
(unique prefixes accepted) or the filters of 'dlq list' plus --all; more
than one message needs a yes on a terminal or --yes otherwise; messages
already retried or discarded are refused and reported. --detach creates a
redrive job for the workers instead (see 'dlq retry --help').`,
		Example: `  # Discard one message
  replayctl dlq discard 3f2a9c1e --reason "duplicate of a manual fix"

  # Discard every message of a retired event type
  replayctl dlq discard --all --type script_shared --reason "feature removed" --dry-run
  replayctl dlq discard --all --type script_shared --reason "feature removed" --yes`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Reason = strings.TrimSpace(opts.Reason)
			if opts.Reason == "" {
				return exitcode.WithHint(exitcode.Usagef("--reason is required and must not be empty"),
					`for example --reason "fixed by hand in the billing system"`)
			}
			if err := completeBatch(cmd, &opts.BatchOptions, &ff, args); err != nil {
				return err
			}
			return dispatch(cmd, &opts.cmdOptions, opts, runF, discardRun)
		},
	}
	batchFlags(cmd, &opts.BatchOptions, &ff)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why the messages are discarded (required; stored as \"manual: <reason>\")")
	return cmd
}

func discardRun(ctx context.Context, opts *DiscardOptions) error {
	return batchRun(ctx, &opts.BatchOptions, batchAction{
		verb: "discard", ing: "Discarding", past: "Discarded",
		action: audit.DLQDiscard, reason: opts.Reason,
		apply: func(ctx context.Context, m *dlq.Manager, p *dlq.Plan, o dlq.BatchOptions) (*dlq.BatchResult, error) {
			return m.Discard(ctx, p, opts.Reason, o)
		},
	})
}
