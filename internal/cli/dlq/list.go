package dlqcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// defaultListLimit keeps a terminal screenful; --offset pages on.
const defaultListLimit = 50

// ListOptions are the inputs of `dlq list`.
type ListOptions struct {
	cmdOptions

	Filter      dlq.ListFilter
	Invalid     bool
	ShowInvalid bool
}

// NewCmdList builds `dlq list`; runF replaces the run in flag tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{cmdOptions: cmdOptions{Factory: f}}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List DLQ messages, newest failure first",
		Long: `List dead-letter queue messages, newest failure first, with their event type,
original topic, status, retry count, when they failed, when the processor
will retry them next, and the error.

Filters combine: a message must match all of them. --status, --topic and
--type take several values (repeat the flag or separate with commas).
--since and --until take a duration back from now (30m, 1d12h, 7d), an
RFC 3339 time or a date (UTC midnight), and apply to the failure time.

On a terminal event ids are shortened to 12 characters; every command that
takes an event id accepts such a prefix. -o json prints
{"items": [...], "total": N, "skipped": [...]} with the full documents.

Documents that cannot be read (fields of the wrong type, no event id) are
skipped: one line on stderr says how many (--show-invalid lists their _id
and error), and -o json lists them under "skipped". 'dlq show _ID' shows
what can be read of one.

--invalid lists the quarantine instead: DLQ topic records the processor
could not read as a DLQ message (not JSON, or no event, event id or topic).`,
		Example: `  # Pending messages of one topic from the last day
  replayctl dlq list --status pending --topic execution_requested --since 24h

  # Everything whose error mentions a timeout, second page
  replayctl dlq list --error timeout --limit 50 --offset 50

  # Event ids of all scheduled messages, for a script
  replayctl dlq list --status scheduled --limit 1000 -o json | jq -r '.items[].event.event_id'

  # Records the processor quarantined
  replayctl dlq list --invalid`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filter, err := ff.toFilter(cmd, f.Now())
			if err != nil {
				return err
			}
			if opts.Invalid && ff.selects() {
				return exitcode.Usagef("--invalid lists quarantined records and takes only --limit and --offset")
			}
			opts.Filter = filter
			return dispatch(cmd, &opts.cmdOptions, opts, runF, listRun)
		},
	}
	addFilterFlags(cmd, &ff, &pagingHelp{limitDefault: defaultListLimit,
		limit: "show at most this many messages", offset: "skip this many messages (for paging)"})
	_ = cmd.RegisterFlagCompletionFunc("topic", completeTopics(f))
	cmd.Flags().BoolVar(&opts.Invalid, "invalid", false, "list quarantined DLQ topic records instead of messages")
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	f := opts.Factory
	p, m, err := opts.printerAndManager(ctx, managerNeeds{})
	if err != nil {
		return err
	}
	if opts.Invalid {
		return listInvalid(ctx, opts, m, p)
	}
	page, err := m.ListPage(ctx, opts.Filter)
	if err != nil {
		return fmt.Errorf("list DLQ messages: %w", err)
	}
	view := newListView(page.Items, page.Total, f.Now(), f.IO.IsStdoutTTY())
	view.Skipped = cmdutil.SkippedDocs(page.Skipped)
	if err := p.Print(view); err != nil {
		return err
	}
	p.ReportSkipped(view.Skipped, opts.ShowInvalid)
	pagingFooter(f.IO, p, opts.Filter.Offset, len(page.Items), page.Total, "messages")
	return nil
}

func listInvalid(ctx context.Context, opts *ListOptions, m *dlq.Manager, p *output.Printer) error {
	page, err := m.ListInvalid(ctx, opts.Filter.Limit, opts.Filter.Offset)
	if err != nil {
		return fmt.Errorf("list quarantined DLQ records: %w", err)
	}
	recs, total := page.Items, page.Total
	items := make([]invalidJSON, len(recs))
	for i, r := range recs {
		items[i] = invalidJSON{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Key: string(r.Key),
			Value: string(r.Value), Headers: r.Headers, Reason: r.Reason, ReceivedAt: r.ReceivedAt}
	}
	skipped := cmdutil.SkippedDocs(page.Skipped)
	if err := p.Print(invalidListView{newPageView(items, total, skipped, opts.Factory.Now())}); err != nil {
		return err
	}
	p.ReportSkipped(skipped, opts.ShowInvalid)
	pagingFooter(opts.Factory.IO, p, opts.Filter.Offset, len(recs), total, "records")
	return nil
}

// pagingFooter tells a person at a terminal that there is more and how to
// get it; scripts read "total" from -o json instead.
func pagingFooter(ios *output.IOStreams, p *output.Printer, offset int64, shown int, total int64, noun string) {
	if !ios.IsStderrTTY() || p.Format() != output.FormatTable {
		return
	}
	if shown == 0 && total == 0 {
		fmt.Fprintf(ios.ErrOut, "No %s match.\n", noun)
		return
	}
	next := offset + int64(shown)
	if next >= total {
		return
	}
	fmt.Fprintf(ios.ErrOut, "Showing %d of %d %s; use --offset %d for more\n", shown, total, noun, next)
}
