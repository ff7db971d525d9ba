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

// RetryOptions are the inputs of `dlq retry`.
type RetryOptions struct {
	BatchOptions
	ToTopic string
	Reason  string
}

// NewCmdRetry builds `dlq retry`; runF replaces the run in flag tests.
func NewCmdRetry(f *cmdutil.Factory, runF func(context.Context, *RetryOptions) error) *cobra.Command {
	opts := &RetryOptions{BatchOptions: BatchOptions{cmdOptions: cmdOptions{Factory: f}}}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "retry [EVENT_ID...]",
		Short: "Send DLQ messages back to their topics",
		Long: `Publish each message's event to its original topic again (or to --to-topic),
keyed by the event id, with the message's stored headers plus headers that
mark the record as a redrive. The message is then marked retried, its retry
count goes up by one, and a dlq_message_retried event is published.

Select messages either by EVENT_ID (unique prefixes accepted) or with the
filters of 'dlq list' plus --all, which is required so that a bare
'dlq retry' never means everything. Messages already retried or discarded
are refused and reported; if every selected message is refused the command
exits with code 4.

More than one message: replayctl first says how many messages go to which
topics, then asks for confirmation on a terminal. Without a terminal, or
with -o json, it needs --yes. --dry-run lists what would be sent and sends
nothing. --rate caps the messages sent per second, to spare a consumer that
has only just recovered.

At the end it lists the result for every message; if some could not be
sent the exit code is 6.

--detach hands the work to the workers instead: after the same count and
confirmation, it creates a redrive job and prints its id. 'replayctl
worker' (or 'dlq jobs run ID') carries it out; 'dlq jobs watch|show|cancel'
follow and stop it. A job acts on the selected messages that are still
pending or scheduled and failed at or before its creation.`,
		Example: `  # Retry one message
  replayctl dlq retry 3f2a9c1e

  # Preview, then retry every pending message of one topic at 20 per second
  replayctl dlq retry --all --status pending --topic execution_requested --dry-run
  replayctl dlq retry --all --status pending --topic execution_requested --rate 20

  # From a script: no prompt, machine-readable results
  replayctl dlq retry --all --error "connection refused" --since 2h --yes -o json

  # Hand a long retry to the workers; follow it with 'dlq jobs watch'
  replayctl dlq retry --all --topic execution_requested --rate 20 --detach --reason "consumer fixed"

  # Send to a different topic, e.g. a quarantine consumer
  replayctl dlq retry 3f2a9c1e --to-topic execution_requested_debug`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := completeBatch(cmd, &opts.BatchOptions, &ff, args); err != nil {
				return err
			}
			opts.ToTopic = strings.TrimSpace(opts.ToTopic)
			if cmd.Flags().Changed("to-topic") && opts.ToTopic == "" {
				return exitcode.Usagef("--to-topic must not be empty")
			}
			return dispatch(cmd, &opts.cmdOptions, opts, runF, retryRun)
		},
	}
	batchFlags(cmd, &opts.BatchOptions, &ff)
	cmd.Flags().StringVar(&opts.ToTopic, "to-topic", "", "publish to this topic (full name) instead of each message's original topic")
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why: recorded in the audit trail and, with --detach, in the job")
	_ = cmd.RegisterFlagCompletionFunc("to-topic", completeTopics(f))
	return cmd
}

func retryRun(ctx context.Context, opts *RetryOptions) error {
	return batchRun(ctx, &opts.BatchOptions, batchAction{
		verb: "retry", ing: "Retrying", past: "Retried", toTopic: opts.ToTopic,
		action: audit.DLQRetry, reason: opts.Reason,
		apply: func(ctx context.Context, m *dlq.Manager, p *dlq.Plan, o dlq.BatchOptions) (*dlq.BatchResult, error) {
			return m.Retry(ctx, p, o)
		},
	})
}
