package replaycmd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// maxShownErrors is how many of a session's errors show lists.
const maxShownErrors = 10

// showView is what show prints. Its JSON shape is a stable interface.
type showView struct {
	Session  *contract.Session `json:"session"`
	Holder   *holderView       `json:"holder"`
	Requests []requestView     `json:"requests"`
	// InvalidFields names stored fields that could not be read (a document
	// other software wrote); Session shows the rest.
	InvalidFields []contract.FieldProblem `json:"invalid_fields,omitempty"`

	now time.Time
}

// holderView is the lease of the process running the session.
type holderView struct {
	Owner string `json:"owner"`
	Epoch int64  `json:"epoch"`
	// Purpose is "run" for a runner, "control" for a command changing the
	// session's status for a moment.
	Purpose   string    `json:"purpose"`
	Since     time.Time `json:"since"` // when the claim was taken
	ExpiresAt time.Time `json:"expires_at"`
	Released  bool      `json:"released"`
	Live      bool      `json:"live"`
}

func newShowView(info *replay.Info, now time.Time) showView {
	d := showView{Session: info.Session, Requests: []requestView{}, InvalidFields: info.InvalidFields, now: now}
	if h := info.Holder; h != nil {
		d.Holder = &holderView{Owner: h.Owner, Epoch: h.Epoch, Purpose: h.Purpose, Since: h.Since, ExpiresAt: h.ExpiresAt, Released: h.Released, Live: h.Live}
	}
	for _, r := range info.Requests {
		d.Requests = append(d.Requests, newRequestView(r))
	}
	return d
}

func (d showView) DetailSections(st *output.Styles) []output.Section {
	s := d.Session
	secs := []output.Section{
		{Title: "Session", Fields: d.sessionFields(st)},
		{Title: "Filter", Fields: filterFields(s.Config.Filter)},
		{Title: "Pacing", Fields: pacingFields(s)},
		{Title: "Progress", Fields: d.progressFields()},
		{Title: "Checkpoint", Fields: d.checkpointFields()},
		{Title: "Runner", Fields: d.runnerFields(st)},
	}
	if len(d.InvalidFields) > 0 {
		secs = append([]output.Section{problemsSection(d.InvalidFields)}, secs...)
	}
	if s.Replayctl != nil && s.Replayctl.Verification != nil {
		secs = append(secs, verificationSection(s.Replayctl.Verification))
	}
	if len(s.Errors) > 0 {
		title := fmt.Sprintf("Last errors (%d of %d, newest first)", min(len(s.Errors), maxShownErrors), len(s.Errors))
		secs = append(secs, output.Section{Title: title, Table: errorTable{errs: newestErrors(s.Errors, maxShownErrors), now: d.now}})
	}
	return secs
}

func (d showView) sessionFields(st *output.Styles) []output.Field {
	s := d.Session
	fields := []output.Field{
		{Key: "ID", Value: s.SessionID},
		{Key: "Replay ID", Value: s.ReplayID},
		{Key: "Status", Value: st.Status(string(s.Status))},
		{Key: "Type", Value: s.Config.ReplayType},
		{Key: "Target", Value: targetText(s)},
		{Key: "Dry run", Value: yesNo(s.DryRun)},
	}
	if s.CreatedBy != nil && *s.CreatedBy != "" {
		fields = append(fields, output.Field{Key: "Created by", Value: *s.CreatedBy})
	}
	fields = append(fields,
		output.Field{Key: "Created", Value: when(d.now, &s.CreatedAt)},
		output.Field{Key: "Started", Value: when(d.now, s.StartedAt)},
		output.Field{Key: "Completed", Value: when(d.now, s.CompletedAt)},
	)
	if s.Error != nil && *s.Error != "" {
		fields = append(fields, output.Field{Key: "Error", Value: st.Red(oneLine(*s.Error))})
	}
	return fields
}

// filterFields lists only the conditions that are set.
func filterFields(f contract.Filter) []output.Field {
	var fields []output.Field
	add := func(key, value string) {
		if value != "" {
			fields = append(fields, output.Field{Key: key, Value: value})
		}
	}
	add("Event types", strings.Join(f.EventTypes, ", "))
	add("Excluded types", strings.Join(f.ExcludeEventTypes, ", "))
	add("Event IDs", strings.Join(f.EventIDs, ", "))
	add("Execution ID", deref(f.ExecutionID))
	add("Aggregate ID", deref(f.AggregateID))
	add("Since", absTime(f.StartTime))
	add("Until", absTime(f.EndTime))
	add("User ID", deref(f.UserID))
	add("Service", deref(f.ServiceName))
	if len(fields) == 0 {
		fields = append(fields, output.Field{Key: "Events", Value: "all (no condition set)"})
	}
	return fields
}

func pacingFields(s *contract.Session) []output.Field {
	c := s.Config
	rate := "no cap"
	if s.Replayctl != nil && s.Replayctl.RateLimit > 0 {
		rate = fmt.Sprintf("%g events/s", s.Replayctl.RateLimit)
	}
	maxEvents := "no limit"
	if c.MaxEvents != nil {
		maxEvents = strconv.FormatInt(*c.MaxEvents, 10)
	}
	fields := []output.Field{
		{Key: "Speed", Value: speedText(c.SpeedMultiplier)},
		{Key: "Rate limit", Value: rate},
		{Key: "Batch size", Value: strconv.Itoa(c.BatchSize)},
		{Key: "Max events", Value: maxEvents},
		{Key: "Preserve timestamps", Value: yesNo(c.PreserveTimestamps)},
		{Key: "Fail fast", Value: yesNo(!c.SkipErrors)},
		{Key: "Retry attempts", Value: strconv.Itoa(c.RetryAttempts)},
	}
	if len(c.TargetTopics) > 0 {
		fields = append(fields, output.Field{Key: "Topic map", Value: topicMapText(c.TargetTopics)})
	}
	return fields
}

func speedText(x float64) string {
	if x <= 0 || x >= contract.NoPacing {
		return "as fast as possible"
	}
	return fmt.Sprintf("x%g (original gaps / %g)", x, x)
}

func topicMapText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + " -> " + m[k]
	}
	return strings.Join(lines, "\n")
}

func (d showView) progressFields() []output.Field {
	s := d.Session
	dups := int64(0)
	if s.Replayctl != nil {
		dups = s.Replayctl.PossibleDuplicates
	}
	pct := "-"
	if s.TotalEvents > 0 {
		pct = fmt.Sprintf("%d%%", percent(processed(s), s.TotalEvents))
	}
	return []output.Field{
		{Key: "Total", Value: strconv.FormatInt(s.TotalEvents, 10)},
		{Key: "Replayed", Value: strconv.FormatInt(s.ReplayedEvents, 10)},
		{Key: "Failed", Value: strconv.FormatInt(s.FailedEvents, 10)},
		{Key: "Skipped", Value: strconv.FormatInt(s.SkippedEvents, 10)},
		{Key: "Possible duplicates", Value: strconv.FormatInt(dups, 10)},
		{Key: "Done", Value: pct},
		{Key: "Last event at", Value: when(d.now, s.LastEventAt)},
	}
}

func (d showView) checkpointFields() []output.Field {
	ext := d.Session.Replayctl
	if ext == nil || ext.Checkpoint == nil {
		return []output.Field{{Key: "Position", Value: "none (starts from the first matching event)"}}
	}
	cp := ext.Checkpoint
	return []output.Field{
		{Key: "Timestamp", Value: absTime(&cp.Timestamp)},
		{Key: "Event _id", Value: cp.ObjectID},
		{Key: "Event ID", Value: cp.EventID},
		{Key: "Checkpointed", Value: when(d.now, ext.CheckpointedAt)},
	}
}

func (d showView) runnerFields(st *output.Styles) []output.Field {
	fields := []output.Field{{Key: "Holder", Value: "none"}}
	if h := d.Holder; h != nil {
		key := "Holder"
		if !h.Live {
			key = "Last holder"
		}
		fields = []output.Field{
			{Key: key, Value: h.Owner + purposeText(h.Purpose)},
			{Key: "Epoch", Value: strconv.FormatInt(h.Epoch, 10)},
			{Key: "Since", Value: when(d.now, &h.Since)},
			{Key: "Lease", Value: leaseText(st, d.now, h)},
		}
	}
	reqs := "none"
	if len(d.Requests) > 0 {
		lines := make([]string, len(d.Requests))
		for i, r := range d.Requests {
			lines[i] = r.text(d.now)
		}
		reqs = strings.Join(lines, "\n")
	}
	return append(fields, output.Field{Key: "Pending requests", Value: reqs})
}

func purposeText(p string) string {
	switch p {
	case "run":
		return " (runner)"
	case "":
		return ""
	default:
		return " (" + p + ")"
	}
}

func leaseText(st *output.Styles, now time.Time, h *holderView) string {
	switch {
	case h.Released:
		return "released"
	case h.Live && h.ExpiresAt.After(now):
		return st.Green("live") + ", expires in " + output.Duration(h.ExpiresAt.Sub(now))
	default:
		return st.Yellow("expired") + " " + output.RelativeTime(now, h.ExpiresAt) + " (the runner stopped; resume takes it over)"
	}
}

// errorTable lists session errors.
type errorTable struct {
	errs []contract.SessionError
	now  time.Time
}

func (t errorTable) TableHeader() []string { return []string{"WHEN", "EVENT", "TYPE", "ERROR"} }

func (t errorTable) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(t.errs))
	for _, e := range t.errs {
		rows = append(rows, []string{
			output.RelativeTime(t.now, e.Timestamp), orDash(deref(e.EventID)), orDash(deref(e.ErrorType)),
			output.Truncate(oneLine(e.Error), 120),
		})
	}
	return rows
}

// when is "2024-05-01 12:00:00 UTC (3m ago)", or "-" when unset.
func when(now time.Time, t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return absTime(t) + " (" + output.RelativeTime(now, *t) + ")"
}

func absTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// problemsSection lists the fields of a foreign document that could not be
// read; the other sections show them empty.
func problemsSection(problems []contract.FieldProblem) output.Section {
	fields := make([]output.Field, len(problems))
	for i, p := range problems {
		fields[i] = output.Field{Key: p.Field, Value: p.Error}
	}
	return output.Section{Title: "Problems (fields that could not be read)", Fields: fields}
}
