package jobscmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// ShowOptions are the inputs of `dlq jobs show`.
type ShowOptions struct{ jobOptions }

// NewCmdShow builds `dlq jobs show`.
func NewCmdShow(f *cmdutil.Factory, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{jobOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "show JOB_ID",
		Short: "Show a redrive job: counters, rate, ETA, errors and holder",
		Long: `Show one job (a unique prefix of its id is enough): what it selects, its
counters (done, failed, refused, possible duplicates), its speed and ETA,
its last errors, and the process holding it with its lease epoch.`,
		Example: `  replayctl dlq jobs show 7c1e
  replayctl dlq jobs show 7c1e -o json`,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmdutil.Run(cmd, opts, runF, showRun) },
	}
	idArg(cmd, f, &opts.jobOptions)
	return cmd
}

func showRun(ctx context.Context, o *ShowOptions) error {
	f := o.Factory
	p, svc, j, err := resolve(ctx, f, o.ID)
	if err != nil {
		return err
	}
	asked := false
	if !j.Status.Terminal() {
		asked, _ = svc.CancelRequested(ctx, j.ID)
	}
	return p.Print(NewJobView(j, f.Now(), asked))
}
