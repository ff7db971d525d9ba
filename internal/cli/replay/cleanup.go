package replaycmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/flagvalue"
	"github.com/integr8scode/replayctl/internal/output"
)

// CleanupOptions are the inputs of `replay cleanup`.
type CleanupOptions struct {
	baseOptions
	OlderThan     time.Duration
	OlderThanText string
	DryRun        bool
	Yes           bool
	ShowInvalid   bool
}

// NewCmdCleanup builds `replay cleanup`; runF replaces the run in flag tests.
func NewCmdCleanup(f *cmdutil.Factory, runF func(context.Context, *CleanupOptions) error) *cobra.Command {
	opts := &CleanupOptions{baseOptions: baseOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "cleanup --older-than DURATION",
		Short: "Delete ended sessions older than a cutoff",
		Long: `Delete completed, failed and cancelled sessions created more than
--older-than ago (a duration such as 36h, 7d or 1d12h, or before an RFC 3339
time or a date such as 2026-11-01), together with their
lease and request records. Sessions that have not ended are never deleted.

It lists the sessions and says how many were (or, with --dry-run, would be)
deleted. On a terminal it asks for confirmation first unless --yes; without
a terminal, or with -o json/yaml, --yes (or --dry-run) is required.`,
		Example: `  # What would go?
  replayctl replay cleanup --older-than 30d --dry-run

  # Nightly job
  replayctl replay cleanup --older-than 7d --yes -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.OlderThanText == "" {
				return usageHint("--older-than is required", "e.g. --older-than 7d")
			}
			age, err := flagvalue.Age("older-than", opts.OlderThanText, f.Now())
			if err != nil {
				return err
			}
			opts.OlderThan = age
			return cmdutil.Run(cmd, opts, runF, cleanupRun)
		},
	}
	cmd.Flags().StringVar(&opts.OlderThanText, "older-than", "", "delete sessions created longer ago than this: a duration (7d, 1d12h), an RFC 3339 time or a date")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "only list what would be deleted")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking for confirmation")
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	opts.bind(cmd)
	opts.bindReason(cmd)
	return cmd
}

func cleanupRun(ctx context.Context, o *CleanupOptions) error {
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	ios := o.Factory.IO
	prompt := !o.Yes && !o.DryRun
	if prompt && (!ios.CanPrompt() || p.Format() != output.FormatTable) {
		return usageHint("refusing to delete sessions without confirmation: not on a terminal, or machine output requested",
			"pass --yes to delete, or --dry-run to list what would be deleted")
	}
	svc, err := o.service(ctx, false)
	if err != nil {
		return err
	}
	cutoff := o.Factory.Now().Add(-o.OlderThan)
	doomed, err := svc.Cleanup(ctx, o.OlderThan, true)
	if err != nil {
		return err
	}
	// Unreadable sessions are never deleted; say so before any prompt.
	skipped := cmdutil.SkippedDocs(doomed.Skipped)
	p.ReportSkipped(skipped, o.ShowInvalid)
	if o.DryRun || len(doomed.Items) == 0 {
		return p.Print(newCleanupView(doomed.Items, skipped, o, cutoff, o.DryRun))
	}
	if prompt {
		ok, err := output.Confirm(ios, fmt.Sprintf("Delete %d ended replay session(s) created before %s?", len(doomed.Items), absTime(&cutoff)))
		if err != nil {
			return err
		}
		if !ok {
			return exitcode.New(exitcode.Error, fmt.Errorf("cleanup aborted: nothing was deleted"))
		}
	}
	rec, err := o.beginAudit(ctx, audit.ReplayCleanup,
		map[string]string{"older_than": o.OlderThanText, "cutoff": cutoff.UTC().Format(time.RFC3339)}, sessionIDs(doomed.Items)...)
	if err != nil {
		return err
	}
	// Keep the cutoff the operator confirmed, however long the prompt took.
	deleted, err := svc.Cleanup(ctx, o.Factory.Now().Sub(cutoff), false)
	out := audit.OutcomeOf(err)
	out.Counts = &audit.Counts{Succeeded: int64(len(deleted.Items))}
	if err := rec.DoneWith(ctx, out, err); err != nil {
		return err
	}
	return p.Print(newCleanupView(deleted.Items, cmdutil.SkippedDocs(deleted.Skipped), o, cutoff, false))
}
