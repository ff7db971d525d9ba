package dlqcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

// PolicyShowOptions are the inputs of `dlq policy show`.
type PolicyShowOptions struct {
	cmdOptions

	Topic     string
	EventType string // "" = the topic name without the prefix
}

// NewCmdPolicyShow builds `dlq policy show`; runF replaces the run in flag tests.
func NewCmdPolicyShow(f *cmdutil.Factory, runF func(context.Context, *PolicyShowOptions) error) *cobra.Command {
	opts := &PolicyShowOptions{cmdOptions: cmdOptions{Factory: f}}
	var allowUnknown bool
	cmd := &cobra.Command{
		Use:   "show TOPIC",
		Short: "Show the retry policy that applies to a topic, and why",
		Long: `Show the retry policy the DLQ processor applies to messages that failed on
TOPIC, and where it comes from: an override for that topic, or the preset of
the event type.

TOPIC is the full topic name, prefix included. The event type is the topic
name without the configured prefix; when the topic is not named after an
event type, say which type to resolve for with --type.`,
		Example: `  replayctl dlq policy show execution_requested
  replayctl --topic-prefix dev_ dlq policy show dev_pod_failed
  replayctl dlq policy show payments-retry --type execution_failed`,
		Args:              cmdutil.ExactArgs(1, "TOPIC"),
		ValidArgsFunction: completeTopicArg(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Topic, err = topicArg(args); err != nil {
				return err
			}
			if opts.EventType, err = checkTypeFlag(opts.EventType, allowUnknown); err != nil {
				return err
			}
			return dispatch(cmd, &opts.cmdOptions, opts, runF, policyShowRun)
		},
	}
	addTypeFlag(cmd, &opts.EventType, &allowUnknown)
	return cmd
}

func policyShowRun(ctx context.Context, opts *PolicyShowOptions) error {
	p, m, err := opts.printerAndManager(ctx, managerNeeds{})
	if err != nil {
		return err
	}
	view, err := resolvedView(ctx, m, opts.Topic, opts.EventType)
	if err != nil {
		return err
	}
	return p.Print(view)
}

// resolvedView resolves and renders the policy for a topic; set and unset
// end with it too, so the operator always sees what now applies.
func resolvedView(ctx context.Context, m *dlq.Manager, topic, eventType string) (resolvedJSON, error) {
	if eventType == "" {
		eventType = eventTypeForTopic(topic, m.TopicPrefix)
	}
	r, err := m.ResolvePolicy(ctx, topic, eventType)
	if err != nil {
		return resolvedJSON{}, fmt.Errorf("resolve retry policy for topic %s: %w", topic, err)
	}
	return newResolvedJSON(topic, eventType, r), nil
}

// notice prints a one-line confirmation for people; scripts get the JSON.
func notice(f *cmdutil.Factory, p *output.Printer, format string, a ...any) {
	if p.Format() != output.FormatTable {
		return
	}
	fmt.Fprintf(f.IO.ErrOut, "%s "+format+"\n", append([]any{p.Styles().SuccessIcon()}, a...)...)
}
