package dlqcmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// PolicyUnsetOptions are the inputs of `dlq policy unset`.
type PolicyUnsetOptions struct {
	cmdOptions

	Topic  string
	Reason string
}

// NewCmdPolicyUnset builds `dlq policy unset`; runF replaces the run in flag tests.
func NewCmdPolicyUnset(f *cmdutil.Factory, runF func(context.Context, *PolicyUnsetOptions) error) *cobra.Command {
	opts := &PolicyUnsetOptions{cmdOptions: cmdOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "unset TOPIC",
		Short: "Remove a topic's retry policy override",
		Long: `Remove the retry policy override of TOPIC (the full topic name), so the
event type's preset applies again. Exits with code 3 if the topic has no
override. The policy that now applies is printed.`,
		Example:           `  replayctl dlq policy unset pod_failed`,
		Args:              cmdutil.ExactArgs(1, "TOPIC"),
		ValidArgsFunction: completeOverrideTopics(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Topic, err = topicArg(args); err != nil {
				return err
			}
			return dispatch(cmd, &opts.cmdOptions, opts, runF, policyUnsetRun)
		},
	}
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why: recorded in the audit trail")
	return cmd
}

func policyUnsetRun(ctx context.Context, opts *PolicyUnsetOptions) error {
	f := opts.Factory
	p, m, err := opts.printerAndManager(ctx, managerNeeds{})
	if err != nil {
		return err
	}
	rec, err := cmdutil.BeginAudit(ctx, f, audit.Intent{Action: audit.DLQPolicyUnset, Targets: []string{opts.Topic}, Reason: opts.Reason})
	if err != nil {
		return err
	}
	if err := rec.Done(ctx, m.UnsetPolicy(ctx, opts.Topic)); err != nil {
		return err
	}
	view, err := resolvedView(ctx, m, opts.Topic, "")
	if err != nil {
		return err
	}
	notice(f, p, "Retry policy override for topic %s removed; %s applies", opts.Topic, view.Source)
	return p.Print(view)
}
