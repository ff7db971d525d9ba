package auditcmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/output"
)

// listView is `audit list`: a table, or the list commands' shape.
type listView struct {
	records  []audit.Record
	total    int64
	skipped  []output.Skipped
	now      time.Time
	shortIDs bool
}

func (v listView) MarshalJSON() ([]byte, error) {
	return output.MarshalJSON(output.NewListDoc(v.records, v.total, v.skipped))
}

func (v listView) TableHeader() []string {
	return []string{"ID", "AT", "ACTOR", "ACTION", "TARGETS", "OUTCOME", "REASON"}
}

func (v listView) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(v.records))
	for i := range v.records {
		r := &v.records[i]
		id := r.ID
		if v.shortIDs {
			id = output.ShortID(id)
		}
		rows = append(rows, []string{id, r.At.UTC().Format(time.RFC3339), r.Actor, r.Action,
			targetsText(r, v.shortIDs), outcomeText(st, r), output.Truncate(r.Reason, 40)})
	}
	return rows
}

// targetsText is the first ids and how many more, or the filter and what
// it matched.
func targetsText(r *audit.Record, short bool) string {
	const shown = 2
	if len(r.Targets) == 0 && len(r.Filter) > 0 {
		return fmt.Sprintf("filter %s%s", filterText(r.Filter), matchedText(r.Matched))
	}
	parts := make([]string, 0, shown)
	for i, t := range r.Targets {
		if i == shown {
			break
		}
		if short {
			t = output.ShortID(t)
		}
		parts = append(parts, t)
	}
	s := strings.Join(parts, ",")
	if more := len(r.Targets) - shown; more > 0 {
		s += fmt.Sprintf(" +%d", more)
	}
	if len(r.Filter) > 0 {
		s += " (filter " + filterText(r.Filter) + matchedText(r.Matched) + ")"
	}
	return s
}

func matchedText(n *int64) string {
	if n == nil {
		return ""
	}
	return fmt.Sprintf(", %d matched", *n)
}

func filterText(f map[string]string) string {
	return strings.Join(sortedPairs(f), " ")
}

// outcomeText is the status with its counts: "partial 8/1/1".
func outcomeText(st *output.Styles, r *audit.Record) string {
	s := string(r.Outcome)
	switch r.Outcome {
	case audit.OK:
		s = st.Green(s)
	case audit.Failed:
		s = st.Red(s)
	}
	if r.Counts != nil && r.Outcome != audit.OK {
		s += fmt.Sprintf(" (%d ok, %d failed, %d refused)", r.Counts.Succeeded, r.Counts.Failed, r.Counts.Refused)
	}
	return s
}
