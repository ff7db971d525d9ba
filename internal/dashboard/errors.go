package dashboard

import (
	"strings"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

func (m *Model) errorsList() list {
	l := list{
		cols: []column{
			{Title: "COUNT", Width: 6},
			{Title: "ERROR", Flex: true, Min: 24},
			{Title: "TOPICS", Width: 18, Drop: 2},
			{Title: "TYPES", Width: 16, Drop: 3},
			{Title: "LAST SEEN", Width: 9, Drop: 1},
		},
		statusCol: -1,
		empty:     "no failures",
	}
	now := m.opts.Now()
	for _, g := range m.groups {
		l.rows = append(l.rows, []string{
			count(g.Count), g.Pattern, strings.Join(g.Topics, ","), strings.Join(g.EventTypes, ","),
			output.RelativeTime(now, g.LastSeen),
		})
	}
	return l
}

func (m *Model) currentGroup() (dlq.ErrorGroup, bool) {
	i, ok := m.current(viewErrors)
	if !ok {
		return dlq.ErrorGroup{}, false
	}
	return m.groups[i], true
}

// groupFilter is the messages query for an error group. The DLQ can only
// filter on a substring of the stored error, so it asks for the longest
// literal piece of the pattern and inGroup keeps the exact matches.
func groupFilter(pattern string, limit int64) dlq.ListFilter {
	f := dlq.ListFilter{Limit: limit}
	if pattern != "" {
		f.ErrorContains = longestLiteral(pattern)
	}
	return f
}

// longestLiteral is the longest run of a normalised pattern that holds no
// placeholder, trimmed of the quotes and spaces placeholders leave around
// them, which a stored error need not have in that form.
func longestLiteral(pattern string) string {
	r := strings.NewReplacer(dlq.PlaceholderID, "\x00", dlq.PlaceholderNumber, "\x00",
		dlq.PlaceholderDuration, "\x00", "'"+dlq.PlaceholderValue+"'", "\x00", `"`+dlq.PlaceholderValue+`"`, "\x00", dlq.PlaceholderValue, "\x00")
	best := ""
	for _, p := range strings.Split(r.Replace(pattern), "\x00") {
		// Whitespace runs were collapsed by the normalisation, so a piece
		// with a space may not occur verbatim; keep its longest word run.
		for _, w := range strings.Split(p, " ") {
			if len(w) > len(best) {
				best = w
			}
		}
	}
	return best
}

// inGroup keeps the messages whose error normalises to pattern (all of
// them when pattern is empty).
func inGroup(msgs []contract.DLQMessage, pattern string) []contract.DLQMessage {
	if pattern == "" {
		return msgs
	}
	out := make([]contract.DLQMessage, 0, len(msgs))
	for _, msg := range msgs {
		if dlq.NormalizeError(msg.Error) == pattern {
			out = append(out, msg)
		}
	}
	return out
}
