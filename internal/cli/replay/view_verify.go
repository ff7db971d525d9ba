package replaycmd

import (
	"fmt"
	"strconv"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/verify"
)

// verifyView is what verify prints; its JSON is the report itself.
type verifyView struct {
	*verify.Report
}

func (v verifyView) DetailSections(st *output.Styles) []output.Section {
	r := v.Report
	secs := []output.Section{{Title: "Verification", Fields: v.summaryFields(st)}}
	if r.Missing > 0 {
		secs = append(secs, output.Section{
			Title: fmt.Sprintf("Missing (%d of %d)", len(r.MissingEvents), r.Missing),
			Table: missingTable(r.MissingEvents),
		})
	}
	if r.Duplicated > 0 {
		secs = append(secs, output.Section{
			Title: fmt.Sprintf("Duplicated (%d of %d)", len(r.Duplicates), r.Duplicated),
			Table: copiesTable{rows: r.Duplicates, windows: true},
		})
	}
	if r.Unexpected > 0 {
		secs = append(secs, output.Section{
			Title: fmt.Sprintf("Unexpected (%d of %d)", len(r.UnexpectedEvents), r.Unexpected),
			Table: copiesTable{rows: r.UnexpectedEvents},
		})
	}
	if len(r.Warnings) > 0 {
		fields := make([]output.Field, len(r.Warnings))
		for i, w := range r.Warnings {
			fields[i] = output.Field{Key: st.WarningIcon(), Value: w}
		}
		secs = append(secs, output.Section{Title: "Warnings", Fields: fields})
	}
	return secs
}

func (v verifyView) summaryFields(st *output.Styles) []output.Field {
	r := v.Report
	verdict := st.SuccessIcon() + " " + st.Green("nothing missing or unexpected")
	if !r.Clean() {
		verdict = st.FailureIcon() + " " + st.Red("events missing or unexpected")
	}
	bound := "none (the session predates it)"
	switch {
	case r.StoredBefore != "":
		bound = "_id ≤ " + r.StoredBefore
	case r.UpperBound != nil:
		bound = "timestamp ≤ " + r.UpperBound.UTC().Format(time.RFC3339Nano)
	}
	return []output.Field{
		{Key: "Session", Value: r.SessionID},
		{Key: "Status", Value: st.Status(string(r.Status))},
		{Key: "Target", Value: r.Target},
		{Key: "Verdict", Value: verdict},
		{Key: "Stored before", Value: bound},
		{Key: "Expected", Value: strconv.FormatInt(r.Expected, 10)},
		{Key: "Delivered", Value: strconv.FormatInt(r.Delivered, 10)},
		{Key: "Records read", Value: strconv.FormatInt(r.RecordsRead, 10)},
		{Key: "Missing", Value: countText(st, r.Missing, true)},
		{Key: "Duplicated", Value: duplicatesText(st, r)},
		{Key: "Unexpected", Value: countText(st, r.Unexpected, true)},
		{Key: "No longer stored", Value: countText(st, r.NoLongerStored, false)},
		{Key: "Unreadable", Value: countText(st, r.Unreadable, false)},
		{Key: "Skipped (malformed)", Value: strconv.FormatInt(r.Skipped, 10)},
		{Key: "Read", Value: readText(r)},
	}
}

func countText(st *output.Styles, n int64, fails bool) string {
	s := strconv.FormatInt(n, 10)
	switch {
	case n == 0:
		return s
	case fails:
		return st.Red(s)
	}
	return st.Yellow(s)
}

func duplicatesText(st *output.Styles, r *verify.Report) string {
	if r.Duplicated == 0 {
		return "0"
	}
	if r.DuplicatesInWindows {
		return fmt.Sprintf("%d, all inside the %d recorded possible-duplicate window(s)", r.Duplicated, r.Windows)
	}
	return st.Yellow(fmt.Sprintf("%d, %d outside the %d recorded possible-duplicate window(s)",
		r.Duplicated, r.DuplicatesOutsideWindows, r.Windows))
}

func readText(r *verify.Report) string {
	what := "records"
	if r.Target == contract.TargetFile {
		what = "lines"
	}
	return fmt.Sprintf("%d %s from %d source(s) in %.2fs (%.0f/s)", r.Scanned, what, len(r.Sources), r.ReadSeconds, r.ReadRate)
}

type missingTable []verify.MissingEvent

func (t missingTable) TableHeader() []string { return []string{"EVENT ID", "TIMESTAMP", "TYPE"} }

func (t missingTable) TableRows(*output.Styles) [][]string {
	rows := make([][]string, len(t))
	for i, m := range t {
		ts := "-"
		if m.Timestamp != nil {
			ts = m.Timestamp.UTC().Format(time.RFC3339Nano)
		}
		rows[i] = []string{m.EventID, ts, m.EventType}
	}
	return rows
}

type copiesTable struct {
	rows    []verify.Copies
	windows bool
}

func (t copiesTable) TableHeader() []string {
	if t.windows {
		return []string{"EVENT ID", "COPIES", "IN A WINDOW"}
	}
	return []string{"EVENT ID", "COPIES"}
}

func (t copiesTable) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, len(t.rows))
	for i, c := range t.rows {
		rows[i] = []string{c.EventID, strconv.FormatInt(c.Copies, 10)}
		if t.windows {
			in := st.Yellow("no")
			if c.InWindow {
				in = "yes"
			}
			rows[i] = append(rows[i], in)
		}
	}
	return rows
}

// verificationSection is show's view of the stored summary.
func verificationSection(v *contract.Verification) output.Section {
	by := v.VerifiedBy
	if by == "" {
		by = "-"
	}
	fields := []output.Field{
		{Key: "Verdict", Value: v.Verdict},
		{Key: "Verified at", Value: v.VerifiedAt.UTC().Format(time.RFC3339)},
		{Key: "Verified by", Value: by},
		{Key: "Expected", Value: strconv.FormatInt(v.Expected, 10)},
		{Key: "Delivered", Value: strconv.FormatInt(v.Delivered, 10)},
		{Key: "Missing", Value: strconv.FormatInt(v.Missing, 10)},
		{Key: "Duplicated", Value: fmt.Sprintf("%d (%d outside the recorded windows)", v.Duplicated, v.DuplicatesOutsideWindows)},
		{Key: "Unexpected", Value: strconv.FormatInt(v.Unexpected, 10)},
	}
	for _, w := range v.Warnings {
		fields = append(fields, output.Field{Key: "Warning", Value: w})
	}
	return output.Section{Title: "Last verification", Fields: fields}
}
