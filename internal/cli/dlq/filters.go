package dlqcmd

import (
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/flagvalue"
)

// filterFlags are the selection flags shared by list, topics, errors, retry
// and discard, so every command spells and validates them the same way.
type filterFlags struct {
	Statuses         []string
	Topics           []string
	Types            []string
	AllowUnknownType bool
	Since, Until     string
	ErrorContains    string
	Limit, Offset    int64

	// paging reports whether --limit/--offset are registered at all.
	paging bool
}

// pagingHelp says what --limit counts for one command.
type pagingHelp struct {
	limitDefault int64
	limit        string
	offset       string
}

func addFilterFlags(cmd *cobra.Command, ff *filterFlags, paging *pagingHelp) {
	fl := cmd.Flags()
	fl.StringSliceVar(&ff.Statuses, "status", nil, "only messages in these statuses: "+statusList()+" (repeatable or comma-separated)")
	fl.StringSliceVar(&ff.Topics, "topic", nil, "only messages whose original topic is one of these (repeatable or comma-separated)")
	fl.StringSliceVar(&ff.Types, "type", nil, "only messages whose event has one of these event types (repeatable)")
	fl.BoolVar(&ff.AllowUnknownType, "allow-unknown-type", false, "accept --type values that are not in the platform's list of event types")
	fl.StringVar(&ff.Since, "since", "", "only messages that failed at or after this time: a duration back from now (30m, 1d12h, 7d), an RFC 3339 time or a date")
	fl.StringVar(&ff.Until, "until", "", "only messages that failed at or before this time: the same forms as --since")
	fl.StringVar(&ff.ErrorContains, "error", "", "only messages whose error contains this text (case-insensitive)")
	_ = cmd.RegisterFlagCompletionFunc("status", completeStatuses)
	_ = cmd.RegisterFlagCompletionFunc("type", completeEventTypes)
	if paging != nil {
		ff.paging = true
		fl.Int64Var(&ff.Limit, "limit", paging.limitDefault, paging.limit)
		fl.Int64Var(&ff.Offset, "offset", 0, paging.offset)
	}
}

// selects reports whether any selection flag narrows the messages; paging
// flags do not select by themselves.
func (ff *filterFlags) selects() bool {
	return len(ff.Statuses) > 0 || len(ff.Topics) > 0 || len(ff.Types) > 0 ||
		ff.Since != "" || ff.Until != "" || ff.ErrorContains != ""
}

// toFilter validates the flags and builds the domain filter; every mistake
// is a usage error, found before anything is read or written.
func (ff *filterFlags) toFilter(cmd *cobra.Command, now time.Time) (dlq.ListFilter, error) {
	var f dlq.ListFilter
	var err error
	if f.Statuses, err = cmdutil.ParseChoices("status", ff.Statuses, contract.DLQStatuses); err != nil {
		return f, err
	}
	if f.Topics, err = flagvalue.List("topic", ff.Topics); err != nil {
		return f, err
	}
	if f.EventTypes, err = flagvalue.EventTypes("type", ff.Types, ff.AllowUnknownType); err != nil {
		return f, err
	}
	if f.Since, err = flagvalue.OptionalTime("since", ff.Since, now); err != nil {
		return f, err
	}
	if f.Until, err = flagvalue.OptionalTime("until", ff.Until, now); err != nil {
		return f, err
	}
	if f.Since != nil && f.Until != nil && f.Since.After(*f.Until) {
		return f, exitcode.Usagef("--since (%s) is after --until (%s)", f.Since.Format(time.RFC3339), f.Until.Format(time.RFC3339))
	}
	f.ErrorContains = strings.TrimSpace(ff.ErrorContains)
	if !ff.paging {
		return f, nil
	}
	if err := checkPaging(cmd, ff.Limit, ff.Offset); err != nil {
		return f, err
	}
	f.Limit, f.Offset = ff.Limit, ff.Offset
	return f, nil
}

// checkPaging insists on a positive --limit whenever one was given (or is
// the command's default) and a non-negative --offset.
func checkPaging(cmd *cobra.Command, limit, offset int64) error {
	if limit < 0 || (limit == 0 && cmd.Flags().Changed("limit")) {
		return exitcode.Usagef("invalid --limit %d: must be greater than 0", limit)
	}
	if offset < 0 {
		return exitcode.Usagef("invalid --offset %d: must be 0 or more", offset)
	}
	return nil
}

func statusNames() []string { return cmdutil.Names(contract.DLQStatuses) }

func statusList() string { return strings.Join(statusNames(), ", ") }

// cleanArgs trims positional ids and drops empty ones, so a shell
// variable that expanded to "" selects nothing rather than failing.
func cleanArgs(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
