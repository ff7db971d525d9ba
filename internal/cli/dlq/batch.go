package dlqcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// BatchOptions are what retry and discard share: which messages, how fast,
// and whether to act at all.
type BatchOptions struct {
	cmdOptions

	IDs    []string       // event ids or unique prefixes; else Filter selects
	Filter dlq.ListFilter // used with --all
	All    bool
	DryRun bool
	Yes    bool
	Rate   float64 // messages per second, 0 = as fast as possible
	// Detach creates a redrive job for the workers instead of acting.
	Detach bool

	ShowInvalid bool // detail the documents a selection could not read

	// FilterGiven is the selection flags as typed, for the audit trail.
	FilterGiven map[string]string
}

// batchFlags registers the flags and completions retry and discard share.
func batchFlags(cmd *cobra.Command, o *BatchOptions, ff *filterFlags) {
	cmd.ValidArgsFunction = completeEventIDs(o.Factory, true)
	addFilterFlags(cmd, ff, &pagingHelp{limit: "act on at most this many matching messages (newest failure first)",
		offset: "skip this many matching messages"})
	fl := cmd.Flags()
	fl.BoolVar(&o.All, "all", false, "act on every message matching the filters (required when no EVENT_ID is given)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "show what would be done; send and change nothing")
	fl.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation (required without a terminal or with -o json)")
	fl.Float64Var(&o.Rate, "rate", 0, "send at most this many messages per second (default: no cap)")
	fl.BoolVar(&o.Detach, "detach", false, "create a redrive job that the workers carry out, print its id and return")
	cmdutil.AddShowInvalidFlag(cmd, &o.ShowInvalid)
	_ = cmd.RegisterFlagCompletionFunc("topic", completeTopics(o.Factory))
}

// completeBatch validates the selection shared by retry and discard: ids or
// filters with --all, never both, never neither, so a bare command can
// never mean "everything".
func completeBatch(cmd *cobra.Command, o *BatchOptions, ff *filterFlags, args []string) error {
	o.IDs = cleanArgs(args)
	usesFilters := ff.selects() || cmd.Flags().Changed("limit") || cmd.Flags().Changed("offset")
	path := cmd.CommandPath()
	switch {
	case len(o.IDs) > 0 && (o.All || usesFilters):
		return exitcode.WithHint(exitcode.Usagef("give either EVENT_IDs or filters with --all, not both"),
			"see '"+path+" --help'")
	case len(o.IDs) == 0 && !o.All:
		return exitcode.WithHint(exitcode.Usagef("%s needs EVENT_IDs, or filters and --all", path),
			fmt.Sprintf("for example '%s --all --status pending --topic TOPIC'; add --dry-run to preview", path))
	}
	if cmd.Flags().Changed("rate") && o.Rate <= 0 {
		return exitcode.Usagef("invalid --rate %g: must be greater than 0", o.Rate)
	}
	if o.Detach && o.Rate > 0 && o.Rate < dlqjob.MinRate {
		return exitcode.Usagef("invalid --rate %g with --detach: a job runs at %g messages per second or more, so that it stops within 2 s of a cancel", o.Rate, dlqjob.MinRate)
	}
	filter, err := ff.toFilter(cmd, o.Factory.Now())
	if err != nil {
		return err
	}
	o.Filter = filter
	o.FilterGiven = cmdutil.ChangedFlags(cmd, filterFlagNames...)
	return nil
}

// batchAction is the verb-specific part of a batch run.
type batchAction struct {
	verb    string // "retry"
	ing     string // "Retrying"
	past    string // "Retried"
	toTopic string
	action  string // the audit trail's name of it: dlq.retry
	reason  string
	apply   func(ctx context.Context, m *dlq.Manager, p *dlq.Plan, o dlq.BatchOptions) (*dlq.BatchResult, error)
}

// batchRun plans, shows the plan, confirms, acts and reports, the same way
// for retry and discard.
func batchRun(ctx context.Context, o *BatchOptions, act batchAction) error {
	f := o.Factory
	p, m, err := o.printerAndManager(ctx, managerNeeds{Kafka: !o.DryRun && !o.Detach})
	if err != nil {
		return err
	}
	plan, err := makePlan(ctx, o, m, act.toTopic)
	if err != nil {
		return err
	}
	// Before any prompt, so the operator knows the selection is short.
	p.ReportSkipped(cmdutil.SkippedDocs(plan.Skipped), o.ShowInvalid)
	shortID := f.IO.IsStdoutTTY()
	if o.DryRun {
		return printDryRun(f.IO.ErrOut, p, newDryRunView(act.verb, plan, act.toTopic, shortID), act)
	}
	if len(plan.Messages) == 0 {
		return nothingToDo(f.IO.ErrOut, p, plan, act, shortID)
	}
	if err := confirmBulk(f.IO, p, o, plan, act); err != nil {
		return err
	}
	if o.Detach {
		return detachRun(ctx, o, p, m, plan, act)
	}
	rec, err := cmdutil.BeginAudit(ctx, f, batchIntent(o, plan, act))
	if err != nil {
		return err
	}
	res, runErr := applyPlan(ctx, o, m, plan, act)
	_ = rec.DoneWith(ctx, batchOutcome(res, runErr), nil)
	if res == nil {
		return runErr
	}
	view := newBatchView(act.verb, res, plan, shortID)
	if err := p.Print(view); err != nil {
		return err
	}
	if p.Format() == output.FormatTable {
		fmt.Fprintln(f.IO.ErrOut, summaryLine(view, len(plan.Messages), act))
	}
	if runErr != nil {
		return runErr
	}
	return outcome(view, len(plan.Messages), act)
}

// outcome is the exit status of a finished batch: 6 when some messages
// failed; 4 when every one was refused (another process took or finished
// them between planning and sending); refusals beside successes are
// reported but are not a failure.
func outcome(v batchView, eligible int, act batchAction) error {
	switch {
	case v.Failed > 0:
		return exitcode.WithHint(
			exitcode.Partialf("%d of %d messages failed to %s", v.Failed, eligible, act.verb),
			"the failed messages are unchanged; fix the cause and run the same command again")
	case v.Succeeded == 0 && v.Refused > 0:
		return exitcode.InvalidStatef("all %d messages were refused; nothing to %s", v.Refused, act.verb)
	}
	return nil
}

func makePlan(ctx context.Context, o *BatchOptions, m *dlq.Manager, toTopic string) (*dlq.Plan, error) {
	if len(o.IDs) > 0 {
		return m.PlanByIDs(ctx, o.IDs, toTopic)
	}
	plan, err := m.PlanByFilter(ctx, o.Filter, toTopic)
	if err != nil {
		return nil, fmt.Errorf("select DLQ messages: %w", err)
	}
	return plan, nil
}

func applyPlan(ctx context.Context, o *BatchOptions, m *dlq.Manager, plan *dlq.Plan, act batchAction) (*dlq.BatchResult, error) {
	bo := dlq.BatchOptions{ToTopic: act.toTopic, Rate: o.Rate}
	if len(plan.Messages) > 1 && o.Factory.IO.IsStderrTTY() {
		prog := output.NewProgress(o.Factory.IO, act.ing, int64(len(plan.Messages)))
		defer prog.Finish()
		bo.Progress = prog.Update
	}
	res, err := act.apply(ctx, m, plan, bo)
	if err != nil {
		err = fmt.Errorf("%s DLQ messages: %w", act.verb, err)
	}
	return res, err
}

// nothingToDo handles a plan without eligible messages: all of them
// refused is an invalid state (exit 4); no match at all is not an error.
func nothingToDo(errOut io.Writer, p *output.Printer, plan *dlq.Plan, act batchAction, shortID bool) error {
	view := newBatchView(act.verb, nil, plan, shortID)
	if len(plan.Refused) == 0 {
		if p.Format() != output.FormatTable {
			return p.Print(view)
		}
		fmt.Fprintf(errOut, "No DLQ messages match; nothing to %s.\n", act.verb)
		return nil
	}
	if err := p.Print(view); err != nil {
		return err
	}
	return exitcode.WithHint(
		exitcode.InvalidStatef("all %d requested messages are already retried or discarded; nothing to %s", len(plan.Refused), act.verb),
		"only pending and scheduled messages can be retried or discarded")
}

// confirmBulk describes a bulk action on stderr and asks for a yes; where
// nobody can answer (no terminal, or a script reading -o json) it demands
// --yes instead of guessing.
func confirmBulk(ios *output.IOStreams, p *output.Printer, o *BatchOptions, plan *dlq.Plan, act batchAction) error {
	n := len(plan.Messages)
	if n <= 1 {
		return nil
	}
	fmt.Fprintf(ios.ErrOut, "About to %s %d messages: %s%s.\n", act.verb, n, topicBreakdown(byTopic(plan, act.toTopic), act), refusedNote(plan))
	if o.Yes {
		return nil
	}
	if !ios.CanPrompt() || p.Format() != output.FormatTable {
		return exitcode.WithHint(
			exitcode.Usagef("refusing to %s %d messages without confirmation", act.verb, n),
			"pass --yes to confirm (required without a terminal or with -o json), or --dry-run to preview")
	}
	ok, err := output.Confirm(ios, fmt.Sprintf("%s %d messages?", capitalize(act.verb), n))
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("cancelled; nothing was changed")
	}
	return nil
}

func printDryRun(errOut io.Writer, p *output.Printer, view dryRunView, act batchAction) error {
	if err := p.Print(view); err != nil {
		return err
	}
	if p.Format() == output.FormatTable {
		fmt.Fprintf(errOut, "Dry run: would %s %d messages", act.verb, view.Count)
		if view.Count > 0 {
			fmt.Fprintf(errOut, " (%s)", topicBreakdown(view.ByTopic, act))
		}
		if len(view.Refusals) > 0 {
			fmt.Fprintf(errOut, ", %d refused (already retried or discarded)", len(view.Refusals))
		}
		fmt.Fprintln(errOut, "; nothing was changed.")
	}
	return nil
}

// topicBreakdown reads "30 to execution_failed, 20 to pod_failed", biggest
// first, so the operator sees where the traffic will go.
func topicBreakdown(counts map[string]int, act batchAction) string {
	topics := make([]string, 0, len(counts))
	for t := range counts {
		topics = append(topics, t)
	}
	sort.Slice(topics, func(i, j int) bool {
		if counts[topics[i]] != counts[topics[j]] {
			return counts[topics[i]] > counts[topics[j]]
		}
		return topics[i] < topics[j]
	})
	prep := "to"
	if act.verb != "retry" {
		prep = "from"
	}
	parts := make([]string, len(topics))
	for i, t := range topics {
		parts[i] = fmt.Sprintf("%d %s %s", counts[t], prep, t)
	}
	return strings.Join(parts, ", ")
}

func refusedNote(plan *dlq.Plan) string {
	if len(plan.Refused) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d more refused: already retried or discarded)", len(plan.Refused))
}

// summaryLine: "Retried 48 of 50 messages, 2 failed, 3 refused (2 held by
// another process, 1 already retried)". The reasons are counted from the
// refusals, so a message another operator is sending right now is not
// reported as already done.
func summaryLine(v batchView, eligible int, act batchAction) string {
	line := fmt.Sprintf("%s %d of %d messages", act.past, v.Succeeded, eligible)
	if v.Failed > 0 {
		line += fmt.Sprintf(", %d failed", v.Failed)
	}
	if v.Refused > 0 {
		line += fmt.Sprintf(", %d refused", v.Refused)
		if why := refusalReasons(v.Refusals); why != "" {
			line += " (" + why + ")"
		}
	}
	return line
}

// refusalReasons counts refusals per reason, most common first.
func refusalReasons(rs []refusalJSON) string {
	counts := map[string]int{}
	var order []string
	for _, r := range rs {
		why := refusalText(r)
		if counts[why] == 0 {
			order = append(order, why)
		}
		counts[why]++
	}
	sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
	parts := make([]string, len(order))
	for i, reason := range order {
		parts[i] = fmt.Sprintf("%d %s", counts[reason], reason)
	}
	return strings.Join(parts, ", ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
