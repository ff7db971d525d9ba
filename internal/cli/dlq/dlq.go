// Package dlqcmd implements `replayctl dlq`: inspecting, summarising,
// retrying and discarding dead-letter queue messages, managing retry
// policies, and running the platform's DLQ processor in the foreground.
package dlqcmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	jobscmd "github.com/integr8scode/replayctl/internal/cli/dlq/jobs"
)

// NewCmdDLQ builds `replayctl dlq` and its verbs.
func NewCmdDLQ(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dlq",
		Short: "Inspect, retry and discard dead-letter queue messages",
		Long: `Administer the platform's dead-letter queue (DLQ).

When a consumer cannot process an event, the event lands on the DLQ topic and
is stored in the dlq_messages collection with the error that stopped it.
These commands show what is there and why, send messages back to their
topics once the cause is fixed, discard what should never be retried, manage
the retry policies, and run the DLQ processor that ingests the DLQ topic.

Retry and discard of more than one message ask for confirmation on a
terminal and need --yes otherwise; --dry-run shows what would happen.`,
		Example: `  # What is failing, and why?
  replayctl dlq topics
  replayctl dlq errors --since 24h

  # Look at the pending messages of one topic, then at one message
  replayctl dlq list --status pending --topic execution_requested
  replayctl dlq show 3f2a9c1e

  # Send them back once the consumer is fixed
  replayctl dlq retry --all --status pending --topic execution_requested --rate 50`,
	}
	// --debug logs the domain's per-message decisions to stderr; hidden
	// because it is for diagnosing replayctl itself, not for operators.
	cmd.PersistentFlags().Bool("debug", false, "log every step to stderr")
	_ = cmd.PersistentFlags().MarkHidden("debug")
	return cmdutil.Group(cmd,
		NewCmdList(f, nil),
		NewCmdShow(f, nil),
		NewCmdTopics(f, nil),
		NewCmdErrors(f, nil),
		NewCmdRetry(f, nil),
		NewCmdDiscard(f, nil),
		NewCmdEdit(f, nil),
		NewCmdPolicy(f),
		NewCmdProcess(f, nil),
		jobscmd.NewCmdJobs(f),
	)
}

// cmdOptions are what every dlq verb carries besides its own inputs.
type cmdOptions struct {
	Factory *cmdutil.Factory
	Debug   bool
}

// dispatch records --debug, then hands the command's context and opts to
// runF (flag tests) when set, else to run.
func dispatch[O any](cmd *cobra.Command, co *cmdOptions, opts O, runF, run func(context.Context, O) error) error {
	co.Debug = debugEnabled(cmd)
	return cmdutil.Run(cmd, opts, runF, run)
}

// debugEnabled reads the hidden --debug flag inherited from `dlq`; a verb
// built on its own (tests) simply has no such flag.
func debugEnabled(cmd *cobra.Command) bool {
	v, err := cmd.Flags().GetBool("debug")
	return err == nil && v
}
