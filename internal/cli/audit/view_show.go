package auditcmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/output"
)

// showView is `audit show`: the record as stored, or a detail screen.
type showView struct {
	Record *audit.Record
}

func (v showView) MarshalJSON() ([]byte, error) { return json.Marshal(v.Record) }

func (v showView) DetailSections(st *output.Styles) []output.Section {
	r := v.Record
	main := []output.Field{
		{Key: "ID", Value: r.ID},
		{Key: "At", Value: r.At.UTC().Format(time.RFC3339Nano)},
		{Key: "Actor", Value: r.Actor},
		{Key: "Action", Value: r.Action},
		{Key: "Reason", Value: orNone(r.Reason)},
		{Key: "Host", Value: r.Host},
		{Key: "Version", Value: r.Version},
	}
	what := []output.Field{{Key: "Targets", Value: orNone(strings.Join(r.Targets, "\n"))}}
	if len(r.Filter) > 0 {
		what = append(what, output.Field{Key: "Filter", Value: strings.Join(sortedPairs(r.Filter), "\n")})
	}
	if r.Matched != nil {
		what = append(what, output.Field{Key: "Matched", Value: fmt.Sprint(*r.Matched)})
	}
	if len(r.Params) > 0 {
		what = append(what, output.Field{Key: "Parameters", Value: strings.Join(sortedPairs(r.Params), "\n")})
	}
	return []output.Section{
		{Title: "Audit record", Fields: main},
		{Title: "Acted on", Fields: what},
		{Title: "Outcome", Fields: outcomeFields(st, r)},
	}
}

func outcomeFields(st *output.Styles, r *audit.Record) []output.Field {
	out := []output.Field{{Key: "Outcome", Value: outcomeText(st, r)}}
	if r.Outcome == audit.Unknown {
		out = append(out, output.Field{Key: "Note", Value: "no outcome was recorded: the process ended, or lost MongoDB, after writing its intent; check the targets"})
	}
	if r.FinishedAt != nil {
		out = append(out, output.Field{Key: "Finished", Value: r.FinishedAt.UTC().Format(time.RFC3339Nano)})
	}
	if r.Error != "" {
		out = append(out, output.Field{Key: "Error", Value: r.Error})
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
