package dlqcmd

import (
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/eventedit"
	"github.com/integr8scode/replayctl/internal/output"
)

// diffValueWidth keeps each value of the short diff on one line.
const diffValueWidth = 60

// editView is `dlq edit`: the result as the domain returned it.
type editView struct {
	*dlq.EditResult

	cancelled bool
}

func (v editView) DetailSections(st *output.Styles) []output.Section {
	fields := []output.Field{{Key: "Event ID", Value: v.EventID}, {Key: "Result", Value: v.outcome()}}
	if v.Stored {
		fields = append(fields,
			output.Field{Key: "Edited by", Value: orDash(v.Who)},
			output.Field{Key: "At", Value: v.At.UTC().Format(contract.TimeFormat)},
			output.Field{Key: "Reason", Value: orDash(v.Reason)})
	}
	secs := []output.Section{{Title: "Edit", Fields: fields}}
	if len(v.Changes) > 0 {
		secs = append(secs, output.Section{Title: "Changes", Fields: changeFields(v.Changes)})
	}
	return secs
}

func (v editView) outcome() string {
	switch {
	case v.cancelled:
		return "cancelled (the edited file was empty): nothing stored"
	case len(v.Changes) == 0:
		return "no changes: nothing stored"
	case v.DryRun:
		return "dry run: nothing stored"
	}
	return "stored; retry it with 'replayctl dlq retry " + v.EventID + "'"
}

// changeFields is the short diff: one line per changed path.
func changeFields(cs []eventedit.Change) []output.Field {
	out := make([]output.Field, len(cs))
	for i, c := range cs {
		out[i] = output.Field{Key: c.Path, Value: eventedit.Short(c.Old, diffValueWidth) + " → " + eventedit.Short(c.New, diffValueWidth)}
	}
	return out
}
