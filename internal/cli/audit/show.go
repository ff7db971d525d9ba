package auditcmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// ShowOptions are the inputs of `audit show`.
type ShowOptions struct {
	Factory *cmdutil.Factory
	ID      string // a record id or unique prefix
}

// NewCmdShow builds `audit show`; runF replaces the run in flag tests.
func NewCmdShow(f *cmdutil.Factory, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Factory: f}
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one audit record",
		Long: `Show one audit record in full: who, when, from which host and replayctl
version, the action, every target id or the filter and how many it
matched, the reason, and the outcome with its counts or error. A unique
prefix of the id is enough; an ambiguous one lists the candidates.`,
		Example: `  replayctl audit show 7c0e51d2
  replayctl audit show 7c0e51d2 -o json`,
		Args:              cmdutil.ExactArgs(1, "an audit record ID or unique prefix"),
		ValidArgsFunction: completeRecordIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			return cmdutil.Run(cmd, opts, runF, showRun)
		},
	}
}

func showRun(ctx context.Context, o *ShowOptions) error {
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	a, err := o.Factory.Auditor(ctx)
	if err != nil {
		return err
	}
	rec, err := a.Show(ctx, o.ID)
	if err != nil {
		return err
	}
	return p.Print(showView{Record: rec})
}
