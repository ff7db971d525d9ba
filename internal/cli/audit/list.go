package auditcmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/flagvalue"
)

// ListOptions are the inputs of `audit list`.
type ListOptions struct {
	Factory     *cmdutil.Factory
	Query       audit.Query
	ShowInvalid bool
}

// NewCmdList builds `audit list`; runF replaces the run in flag tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Factory: f}
	var since, until string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List audit records, newest first",
		Long: `List the audit trail newest first: when, who, which action, on what, how
it ended, and why.

--since and --until take a duration back from now (90m, 1d12h, 7d), an RFC
3339 time or a date (UTC midnight). --action matches the action and every
action under it: --action dlq.policy lists policy sets and unsets,
--action dlq every DLQ action. --target matches records whose target ids
start with the value, so a shortened session or event id works.

On a terminal ids are shortened to 12 characters (every command accepts
them as prefixes). -o json prints {"items": [...], "total": N,
"skipped": [...]}; total counts every match before --limit. Documents of
replayctl_audit that are not audit records are skipped and reported.`,
		Example: `  replayctl audit list --since 1d
  replayctl audit list --actor alice@ops --action dlq.retry
  replayctl audit list --target 3f1c9a1e -o json | jq '.items[] | {at, action, outcome}'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.complete(since, until); err != nil {
				return err
			}
			return cmdutil.Run(cmd, opts, runF, listRun)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&since, "since", "", "only records at or after this time: a duration back from now (30m, 1d12h, 7d), an RFC 3339 time or a date")
	fl.StringVar(&until, "until", "", "only records at or before this time: the same forms as --since")
	// Shadows the global --actor: listing acts for nobody, so here the
	// flag can mean what an operator reading the trail expects.
	fl.StringVar(&opts.Query.Actor, "actor", "", "only records of this actor (exactly as recorded)")
	fl.StringVar(&opts.Query.Action, "action", "", "only this action and the actions under it (replay.cancel, dlq.retry, dlq.policy, dlq)")
	fl.StringVar(&opts.Query.Target, "target", "", "only records acting on an id that starts with this")
	fl.Int64Var(&opts.Query.Limit, "limit", 50, "show at most this many records")
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	return cmd
}

func (o *ListOptions) complete(since, until string) error {
	now := o.Factory.Now()
	var err error
	if o.Query.Since, err = flagvalue.OptionalTime("since", since, now); err != nil {
		return err
	}
	if o.Query.Until, err = flagvalue.OptionalTime("until", until, now); err != nil {
		return err
	}
	if o.Query.Limit <= 0 {
		return exitcode.Usagef("invalid --limit %d: must be greater than 0", o.Query.Limit)
	}
	o.Query.Action = strings.TrimSpace(o.Query.Action)
	o.Query.Target = strings.TrimSpace(o.Query.Target)
	return nil
}

func listRun(ctx context.Context, o *ListOptions) error {
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	a, err := o.Factory.Auditor(ctx)
	if err != nil {
		return err
	}
	page, err := a.List(ctx, o.Query)
	if err != nil {
		return err
	}
	skipped := cmdutil.SkippedDocs(page.Skipped)
	view := listView{records: page.Items, total: page.Total, skipped: skipped,
		now: o.Factory.Now(), shortIDs: o.Factory.IO.IsStdoutTTY()}
	if err := p.Print(view); err != nil {
		return err
	}
	p.ReportSkipped(skipped, o.ShowInvalid)
	return nil
}
