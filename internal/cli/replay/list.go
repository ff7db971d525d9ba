package replaycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// ListOptions are the inputs of `replay list`.
type ListOptions struct {
	baseOptions
	Statuses    []contract.SessionStatus
	Limit       int64
	ShowInvalid bool
}

// NewCmdList builds `replay list`; runF replaces the run in flag tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{baseOptions: baseOptions{Factory: f}}
	var statuses []string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List replay sessions, newest first",
		Long: `List replay sessions, newest first: id, status, replay type, target,
progress (replayed/total and percent), failed events and when each was
created.

On a terminal the ID column shows the first 12 characters of each id,
which every command accepts as a prefix; piped output (tab-separated) and
-o json/yaml carry full ids. -o json prints {"items": [...], "total": N,
"skipped": [...]} with the full session documents as items.

Documents in replay_sessions that cannot be read (written by other
software with fields of the wrong type, or without a session_id) are
skipped: the table is followed by one line on stderr (--show-invalid lists
their _id and error), and -o json lists them under "skipped".`,
		Example: `  replayctl replay list
  replayctl replay list --status running,paused
  replayctl replay list --status failed --limit 5 -o json | jq -r '.items[].session_id'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			parsed, err := cmdutil.ParseChoices("status", statuses, contract.SessionStatuses)
			if err != nil {
				return err
			}
			if opts.Limit <= 0 {
				return exitcode.Usagef("invalid --limit %d: must be greater than 0", opts.Limit)
			}
			opts.Statuses = parsed
			return cmdutil.Run(cmd, opts, runF, listRun)
		},
	}
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "only sessions in these statuses (repeatable, or comma separated)")
	cmd.Flags().Int64Var(&opts.Limit, "limit", 20, "show at most this many sessions")
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	_ = cmd.RegisterFlagCompletionFunc("status", fixed(statusNames()))
	opts.bind(cmd)
	return cmd
}

func listRun(ctx context.Context, o *ListOptions) error {
	p, svc, err := o.printerAndService(ctx)
	if err != nil {
		return err
	}
	page, err := svc.List(ctx, o.Statuses, o.Limit)
	if err != nil {
		return err
	}
	skipped := cmdutil.SkippedDocs(page.Skipped)
	list := sessionList{Sessions: page.Items, now: o.Factory.Now(), shortIDs: o.Factory.IO.IsStdoutTTY()}
	if err := p.Print(listView{sessionList: list, total: page.Total, skipped: skipped}); err != nil {
		return err
	}
	p.ReportSkipped(skipped, o.ShowInvalid)
	return nil
}
