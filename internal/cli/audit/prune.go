package auditcmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/flagvalue"
	"github.com/integr8scode/replayctl/internal/output"
)

// PruneOptions are the inputs of `audit prune`.
type PruneOptions struct {
	Factory       *cmdutil.Factory
	OlderThanText string
	OlderThan     time.Duration
	Reason        string
	Yes           bool
}

// NewCmdPrune builds `audit prune`; runF replaces the run in flag tests.
func NewCmdPrune(f *cmdutil.Factory, runF func(context.Context, *PruneOptions) error) *cobra.Command {
	opts := &PruneOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "prune --older-than DURATION",
		Short: "Delete audit records older than a cutoff",
		Long: `Delete the audit records written more than --older-than ago (a duration
such as 90d or 26w, an RFC 3339 time or a date). This is the trail's
retention: nothing expires on its own.

It says how many records would go and asks for confirmation on a terminal
unless --yes; without a terminal, or with -o json/yaml, --yes is required.
The prune is itself audited (action audit.prune, with the cutoff and the
count), and that record is never older than the cutoff.`,
		Example: `  replayctl audit prune --older-than 180d
  replayctl audit prune --older-than 2026-01-01 --yes --reason "retention policy" -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.OlderThanText == "" {
				return exitcode.WithHint(exitcode.Usagef("--older-than is required"), "e.g. --older-than 180d")
			}
			age, err := flagvalue.Age("older-than", opts.OlderThanText, f.Now())
			if err != nil {
				return err
			}
			if age <= 0 {
				return exitcode.Usagef("invalid --older-than %q: the cutoff must be in the past", opts.OlderThanText)
			}
			opts.OlderThan = age
			return cmdutil.Run(cmd, opts, runF, pruneRun)
		},
	}
	cmd.Flags().StringVar(&opts.OlderThanText, "older-than", "", "delete records written longer ago than this: a duration (90d, 26w), an RFC 3339 time or a date")
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why: recorded in the audit trail")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking for confirmation")
	return cmd
}

// pruneResult is what prune prints.
type pruneResult struct {
	Deleted int64     `json:"deleted"`
	Cutoff  time.Time `json:"cutoff"`
}

func pruneRun(ctx context.Context, o *PruneOptions) error {
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	ios := o.Factory.IO
	if !o.Yes && (!ios.CanPrompt() || p.Format() != output.FormatTable) {
		return exitcode.WithHint(exitcode.Usagef("refusing to delete audit records without confirmation: not on a terminal, or machine output requested"),
			"pass --yes to delete")
	}
	a, err := o.Factory.Auditor(ctx)
	if err != nil {
		return err
	}
	cutoff := o.Factory.Now().Add(-o.OlderThan).UTC()
	n, err := a.CountBefore(ctx, cutoff)
	if err != nil {
		return err
	}
	if n == 0 {
		return printPruned(p, ios, pruneResult{Cutoff: cutoff})
	}
	if !o.Yes {
		ok, err := output.Confirm(ios, fmt.Sprintf("Delete %d audit record(s) written before %s?", n, cutoff.Format(time.RFC3339)))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("prune aborted: nothing was deleted")
		}
	}
	run, err := cmdutil.BeginAudit(ctx, o.Factory, audit.Intent{
		Action: audit.AuditPrune, Matched: &n, Reason: o.Reason,
		Params: map[string]string{"older_than": o.OlderThanText, "cutoff": cutoff.Format(time.RFC3339)},
	})
	if err != nil {
		return err
	}
	deleted, err := a.PruneBefore(ctx, cutoff)
	if err := run.DoneWith(ctx, pruneOutcome(deleted, err), err); err != nil {
		return err
	}
	return printPruned(p, ios, pruneResult{Deleted: deleted, Cutoff: cutoff})
}

// pruneOutcome counts what went; a record another prune deleted first is
// not a failure of this one.
func pruneOutcome(deleted int64, err error) audit.Outcome {
	out := audit.OutcomeOf(err)
	out.Counts = &audit.Counts{Succeeded: deleted}
	return out
}

func printPruned(p *output.Printer, ios *output.IOStreams, r pruneResult) error {
	if p.Format() != output.FormatTable {
		return p.Print(r)
	}
	_, err := fmt.Fprintf(ios.Out, "Deleted %d audit record(s) written before %s\n", r.Deleted, r.Cutoff.Format(time.RFC3339))
	return err
}
