package dlqcmd

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
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
	fl.StringSliceVar(&ff.Topics, "topic", nil, "only messages whose original topic is one of these (repeatable)")
	fl.StringSliceVar(&ff.Types, "type", nil, "only messages whose event has one of these event types (repeatable)")
	fl.BoolVar(&ff.AllowUnknownType, "allow-unknown-type", false, "accept --type values that are not in the platform's list of event types")
	fl.StringVar(&ff.Since, "since", "", "only messages that failed at or after this time: a duration back from now (30m, 2h, 7d) or RFC 3339")
	fl.StringVar(&ff.Until, "until", "", "only messages that failed at or before this time: a duration back from now or RFC 3339")
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
	if f.Statuses, err = parseStatuses(ff.Statuses); err != nil {
		return f, err
	}
	f.Topics = cleanList(ff.Topics)
	if f.EventTypes, err = checkEventTypes(cleanList(ff.Types), ff.AllowUnknownType); err != nil {
		return f, err
	}
	if f.Since, err = parseTimeFlag("since", ff.Since, now); err != nil {
		return f, err
	}
	if f.Until, err = parseTimeFlag("until", ff.Until, now); err != nil {
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

func statusList() string {
	names := make([]string, len(contract.DLQStatuses))
	for i, s := range contract.DLQStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func parseStatuses(in []string) ([]contract.DLQStatus, error) {
	var out []contract.DLQStatus
	for _, s := range cleanList(in) {
		st := contract.DLQStatus(strings.ToLower(s))
		if !st.Valid() {
			return nil, exitcode.Usagef("invalid --status %q: valid values are %s", s, statusList())
		}
		if !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	return out, nil
}

// checkEventTypes rejects types the platform does not know, suggesting the
// closest ones, unless the operator said unknown types are intended.
func checkEventTypes(types []string, allowUnknown bool) ([]string, error) {
	if allowUnknown {
		return types, nil
	}
	for _, t := range types {
		if contract.IsKnownEventType(t) {
			continue
		}
		msg := fmt.Sprintf("unknown event type %q", t)
		if near := contract.ClosestEventTypes(t, 3); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, ", ") + "?"
		}
		return nil, exitcode.WithHint(exitcode.Usagef("%s", msg),
			"pass --allow-unknown-type if the type is newer than replayctl's list")
	}
	return types, nil
}

// cleanList trims values and drops empty ones, so "a,,b" and "a, b" work.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// parseTimeFlag accepts a duration back from now (Go syntax plus d and w
// units) or an absolute RFC 3339 time or date.
func parseTimeFlag(name, v string, now time.Time) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if d, err := parseAge(v); err == nil {
		t := now.Add(-d).UTC()
		return &t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, exitcode.Usagef("invalid --%s %q: want a duration back from now (30m, 2h, 7d) or an RFC 3339 time (2024-05-01T12:00:00Z)", name, v)
}

// parseAge extends time.ParseDuration with days and weeks, the units an
// operator thinks in when looking back over a queue.
func parseAge(v string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(v, suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil || f < 0 {
				return 0, fmt.Errorf("invalid age %q", v)
			}
			return time.Duration(f * float64(unit)), nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid age %q", v)
	}
	return d, nil
}
