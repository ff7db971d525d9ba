package dlqcmd

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/flagvalue"
)

// strategyNames lists the retry strategies, for messages and completion.
func strategyNames() []string {
	out := make([]string, len(dlq.Strategies))
	for i, s := range dlq.Strategies {
		out[i] = string(s)
	}
	return out
}

// NewCmdPolicy builds `dlq policy` and its verbs.
func NewCmdPolicy(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Show and override the retry policies of the DLQ processor",
		Long: `Retry policies decide whether and when the DLQ processor retries a message
by itself: the strategy (immediate, exponential_backoff, fixed_interval,
scheduled, manual), how many retries, and the delays between them.

Four presets apply by event type: aggressive (execution and command events),
cautious (pod events), immediate (result events) and default (everything
else). An override for a topic, keyed by its full name including any
prefix, wins over the preset. Overrides are stored in MongoDB
(dlq_retry_policies), so every replayctl process and worker applies the
same policy.`,
		Example: `  replayctl dlq policy list
  replayctl dlq policy show execution_requested
  replayctl dlq policy set pod_failed --strategy fixed_interval --base-delay 2m --max-retries 10
  replayctl dlq policy unset pod_failed`,
	}
	return cmdutil.Group(cmd,
		NewCmdPolicyList(f, nil),
		NewCmdPolicyShow(f, nil),
		NewCmdPolicySet(f, nil),
		NewCmdPolicyUnset(f, nil),
	)
}

// parseStrategy reads --strategy with the shared choice parser, so its
// error reads like every other closed-set flag's.
func parseStrategy(s string) (dlq.Strategy, error) {
	name, err := flagvalue.Choice("strategy", s, strategyNames())
	if err != nil {
		return "", err
	}
	return dlq.ParseStrategy(name)
}

// maxDelaySeconds is the longest delay a time.Duration holds, in seconds.
const maxDelaySeconds = float64(math.MaxInt64 / int64(time.Second))

// parseDelay reads a delay as a duration (30s, 5m, 1h30m, 1d; see
// flagvalue.ParseDuration) or a bare number of seconds, the unit the
// contract stores. Seconds are checked before conversion: a float beyond
// int64 converts differently on amd64 (negative) and arm64 (saturated).
func parseDelay(flag, v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if d, err := flagvalue.ParseDuration(v); err == nil {
		return d, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(secs) || secs < 0 || secs > maxDelaySeconds {
		return 0, flagvalue.Invalid(flag, v, "want a duration (30s, 5m, 1h30m, 1d) or a number of seconds, 0 or more")
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// eventTypeForTopic is the event type whose preset applies to a topic: by
// contract a topic is the prefix plus the event type.
func eventTypeForTopic(topic, prefix string) string {
	return strings.TrimPrefix(topic, prefix)
}

func topicArg(args []string) (string, error) {
	t := strings.TrimSpace(args[0])
	if t == "" {
		return "", exitcode.Usagef("TOPIC must not be empty")
	}
	return t, nil
}

// addTypeFlag registers --type for commands that resolve a policy for a
// topic whose name is not an event type.
func addTypeFlag(cmd *cobra.Command, typ *string, allow *bool) {
	cmd.Flags().StringVar(typ, "type", "", "resolve for this event type (default: the topic name without the prefix)")
	cmd.Flags().BoolVar(allow, "allow-unknown-type", false, "accept a --type that is not in the platform's list of event types")
	_ = cmd.RegisterFlagCompletionFunc("type", completeEventTypes)
}

func checkTypeFlag(typ string, allow bool) (string, error) {
	typ = strings.TrimSpace(typ)
	if typ == "" {
		return "", nil
	}
	if _, err := flagvalue.EventTypes("type", []string{typ}, allow); err != nil {
		return "", err
	}
	return typ, nil
}
