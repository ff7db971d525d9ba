package dlqcmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// PolicySetOptions are the inputs of `dlq policy set`. Nil fields were not
// given and default from the preset that would otherwise apply.
type PolicySetOptions struct {
	cmdOptions

	Topic     string
	EventType string
	Strategy  dlq.Strategy

	MaxRetries *int
	BaseDelay  *time.Duration
	MaxDelay   *time.Duration
	Multiplier *float64
	Jitter     *float64

	Reason string
}

// policySetFlags holds the raw flag values before validation.
type policySetFlags struct {
	strategy, baseDelay, maxDelay string
	maxRetries                    int
	multiplier, jitter            float64
	eventType                     string
	allowUnknown                  bool
}

// NewCmdPolicySet builds `dlq policy set`; runF replaces the run in flag tests.
func NewCmdPolicySet(f *cmdutil.Factory, runF func(context.Context, *PolicySetOptions) error) *cobra.Command {
	opts := &PolicySetOptions{cmdOptions: cmdOptions{Factory: f}}
	var fl policySetFlags
	cmd := &cobra.Command{
		Use:   "set TOPIC --strategy STRATEGY",
		Short: "Override the retry policy of one topic",
		Long: `Store a retry policy override for TOPIC (the full topic name, prefix
included). It wins over the event type's preset in every replayctl process
and worker from their next message on.

--strategy is required: immediate, exponential_backoff, fixed_interval,
scheduled or manual (manual never retries automatically). Fields not given
default from the preset that would otherwise apply to the topic. Delays are
durations (30s, 5m, 1h, 1d) or seconds; --max-delay must not be below
--base-delay; --jitter is a fraction between 0 and 1.

Everything is checked before anything is written. The policy that now
applies is printed.`,
		Example: `  # Retry pod failures every two minutes, up to ten times
  replayctl dlq policy set pod_failed --strategy fixed_interval --base-delay 2m --max-retries 10

  # Stop automatic retries of one topic while its consumer is broken
  replayctl dlq policy set execution_requested --strategy manual

  # Gentler back-off for a topic not named after an event type
  replayctl dlq policy set payments-retry --type execution_failed --strategy exponential_backoff \
    --base-delay 1m --max-delay 30m --multiplier 3 --jitter 0.2`,
		Args:              cmdutil.ExactArgs(1, "TOPIC"),
		ValidArgsFunction: completeTopicArg(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := fl.complete(cmd, args, opts); err != nil {
				return err
			}
			return dispatch(cmd, &opts.cmdOptions, opts, runF, policySetRun)
		},
	}
	c := cmd.Flags()
	c.StringVar(&fl.strategy, "strategy", "", "retry strategy: immediate, exponential_backoff, fixed_interval, scheduled, manual (required)")
	c.IntVar(&fl.maxRetries, "max-retries", 0, "retry while the retry count is below this")
	c.StringVar(&fl.baseDelay, "base-delay", "", "delay before the first retry (a duration such as 30s, 5m or 1d, or seconds)")
	c.StringVar(&fl.maxDelay, "max-delay", "", "longest delay between retries (duration or seconds)")
	c.Float64Var(&fl.multiplier, "multiplier", 0, "exponential back-off growth factor per retry")
	c.Float64Var(&fl.jitter, "jitter", 0, "random +/- fraction of each delay, 0 to 1")
	addTypeFlag(cmd, &fl.eventType, &fl.allowUnknown)
	c.StringVar(&opts.Reason, "reason", "", "why: recorded in the audit trail")
	_ = cmd.RegisterFlagCompletionFunc("strategy", cobra.FixedCompletions(strategyNames(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// complete validates every flag before anything is read or written.
func (fl *policySetFlags) complete(cmd *cobra.Command, args []string, opts *PolicySetOptions) error {
	var err error
	if opts.Topic, err = topicArg(args); err != nil {
		return err
	}
	if opts.EventType, err = checkTypeFlag(fl.eventType, fl.allowUnknown); err != nil {
		return err
	}
	if !cmd.Flags().Changed("strategy") {
		return exitcode.WithHint(exitcode.Usagef("--strategy is required"), "valid strategies: "+strings.Join(strategyNames(), ", "))
	}
	if opts.Strategy, err = parseStrategy(fl.strategy); err != nil {
		return err
	}
	return fl.numbers(cmd, opts)
}

func (fl *policySetFlags) numbers(cmd *cobra.Command, opts *PolicySetOptions) error {
	changed := cmd.Flags().Changed
	if changed("max-retries") {
		if fl.maxRetries < 0 {
			return exitcode.Usagef("invalid --max-retries %d: must not be negative", fl.maxRetries)
		}
		opts.MaxRetries = &fl.maxRetries
	}
	for _, d := range []struct {
		name string
		raw  string
		dst  **time.Duration
	}{{"base-delay", fl.baseDelay, &opts.BaseDelay}, {"max-delay", fl.maxDelay, &opts.MaxDelay}} {
		if !changed(d.name) {
			continue
		}
		v, err := parseDelay(d.name, d.raw)
		if err != nil {
			return err
		}
		*d.dst = &v
	}
	if changed("multiplier") {
		if fl.multiplier < 0 {
			return exitcode.Usagef("invalid --multiplier %g: must not be negative", fl.multiplier)
		}
		opts.Multiplier = &fl.multiplier
	}
	if changed("jitter") {
		if fl.jitter < 0 || fl.jitter > 1 {
			return exitcode.Usagef("invalid --jitter %g: must be between 0 and 1", fl.jitter)
		}
		opts.Jitter = &fl.jitter
	}
	if opts.BaseDelay != nil && opts.MaxDelay != nil && *opts.MaxDelay < *opts.BaseDelay {
		return exitcode.Usagef("--max-delay %s is below --base-delay %s", output.Duration(*opts.MaxDelay), output.Duration(*opts.BaseDelay))
	}
	return nil
}

func policySetRun(ctx context.Context, opts *PolicySetOptions) error {
	f := opts.Factory
	p, m, err := opts.printerAndManager(ctx, managerNeeds{})
	if err != nil {
		return err
	}
	eventType := opts.EventType
	if eventType == "" {
		eventType = eventTypeForTopic(opts.Topic, m.TopicPrefix)
	}
	pol, err := mergePolicy(opts, dlq.Presets(), eventType)
	if err != nil {
		return err
	}
	rec, err := cmdutil.BeginAudit(ctx, f, audit.Intent{Action: audit.DLQPolicySet, Targets: []string{opts.Topic},
		Params: policyParams(pol), Reason: opts.Reason})
	if err != nil {
		return err
	}
	if err := rec.Done(ctx, m.SetPolicy(ctx, opts.Topic, pol)); err != nil {
		return fmt.Errorf("set retry policy for topic %s: %w", opts.Topic, err)
	}
	view, err := resolvedView(ctx, m, opts.Topic, eventType)
	if err != nil {
		return err
	}
	notice(f, p, "Retry policy override for topic %s saved", opts.Topic)
	return p.Print(view)
}

// mergePolicy fills the fields not given from the preset that would apply
// without an override, then checks the combination, still before writing.
// A preset without delays (immediate) cannot seed a delayed strategy, so
// the platform's defaults for that strategy fill in instead.
func mergePolicy(opts *PolicySetOptions, presets []dlq.Preset, eventType string) (dlq.Policy, error) {
	base, _ := presetFor(presets, eventType)
	pol := base.Policy
	if pol.BaseDelay == 0 && pol.MaxDelay == 0 && opts.Strategy != pol.Strategy {
		def := dlq.DefaultPolicy(opts.Strategy)
		def.MaxRetries = pol.MaxRetries
		pol = def
	}
	pol.Strategy = opts.Strategy
	if opts.MaxRetries != nil {
		pol.MaxRetries = *opts.MaxRetries
	}
	if opts.BaseDelay != nil {
		pol.BaseDelay = *opts.BaseDelay
	}
	if opts.MaxDelay != nil {
		pol.MaxDelay = *opts.MaxDelay
	}
	if opts.Multiplier != nil {
		pol.Multiplier = *opts.Multiplier
	}
	if opts.Jitter != nil {
		pol.Jitter = *opts.Jitter
	}
	if err := pol.Validate(); err != nil {
		return pol, exitcode.WithHint(err, fmt.Sprintf(
			"fields you did not give come from preset %s: %s", orDash(base.Name), describePolicy(pol)))
	}
	return pol, nil
}

// describePolicy is a one-line policy for hints.
func describePolicy(p dlq.Policy) string {
	return fmt.Sprintf("max retries %d, base delay %s, max delay %s, multiplier %g, jitter %g",
		p.MaxRetries, output.Duration(p.BaseDelay), output.Duration(p.MaxDelay), p.Multiplier, p.Jitter)
}
