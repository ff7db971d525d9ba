package jobscmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlqjob"
)

// ListOptions are the inputs of `dlq jobs list`.
type ListOptions struct {
	Factory     *cmdutil.Factory
	Statuses    []dlqjob.Status
	Limit       int64
	ShowInvalid bool
}

// NewCmdList builds `dlq jobs list`.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Factory: f}
	var statuses []string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List redrive jobs, newest first",
		Long: `List redrive jobs, newest first, with their progress. A status marked with *
has a cancel request its holder has not applied yet.`,
		Example: `  replayctl dlq jobs list
  replayctl dlq jobs list --status running,pending -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.Statuses, err = cmdutil.ParseChoices("status", statuses, dlqjob.Statuses); err != nil {
				return err
			}
			return cmdutil.Run(cmd, opts, runF, listRun)
		},
	}
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "only jobs with these statuses (repeatable or comma-separated)")
	cmd.Flags().Int64Var(&opts.Limit, "limit", 100, "list at most this many jobs (0 = all)")
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(cmdutil.Names(dlqjob.Statuses), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func listRun(ctx context.Context, o *ListOptions) error {
	f := o.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	svc, err := service(ctx, f, false)
	if err != nil {
		return err
	}
	page, err := svc.List(ctx, o.Statuses, o.Limit)
	if err != nil {
		return err
	}
	skipped := cmdutil.SkippedDocs(page.Skipped)
	p.ReportSkipped(skipped, o.ShowInvalid)
	var live []string
	for _, j := range page.Items {
		if !j.Status.Terminal() {
			live = append(live, j.ID)
		}
	}
	// One query for the page's cancel requests; an unreadable one shows
	// the job as it is stored.
	var asked map[string]bool
	if len(live) > 0 {
		asked, _ = svc.CancelsRequested(ctx, live)
	}
	v := listView{Items: make([]JobView, len(page.Items)), Total: page.Total, Skipped: skipped, now: f.Now()}
	for i := range page.Items {
		j := &page.Items[i]
		v.Items[i] = NewJobView(j, f.Now(), asked[j.ID])
	}
	return p.Print(v)
}
