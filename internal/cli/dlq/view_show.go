package dlqcmd

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/eventedit"
	"github.com/integr8scode/replayctl/internal/output"
)

// showPolicyJSON is the policy section of `dlq show`: what applies, why,
// and when (if ever) the processor will retry the message by itself.
type showPolicyJSON struct {
	policyJSON
	Source         string     `json:"source"`
	Preset         string     `json:"preset,omitempty"`
	Override       bool       `json:"override"`
	AutomaticRetry bool       `json:"automatic_retry"`
	NextRetryAt    *time.Time `json:"next_retry_at"`
	Note           string     `json:"note,omitempty"`
}

// showEditsJSON is the edit history of `dlq show`: the latest edit, how
// many there were, and the current event's changes from the original.
type showEditsJSON struct {
	Count        int                `json:"count"`
	LatestBy     string             `json:"latest_by"`
	LatestAt     time.Time          `json:"latest_at"`
	LatestReason string             `json:"latest_reason,omitempty"`
	Changes      []eventedit.Change `json:"changes"`
	Original     json.RawMessage    `json:"original,omitempty"`
}

// showView is `dlq show`.
type showView struct {
	Message messageJSON     `json:"message"`
	Policy  *showPolicyJSON `json:"policy"`
	// InvalidFields names stored fields that could not be read (a document
	// other software wrote); Message shows the rest.
	InvalidFields []contract.FieldProblem `json:"invalid_fields,omitempty"`
	// Edits is present once an operator edited the event (dlq edit).
	Edits *showEditsJSON `json:"edits,omitempty"`

	dlqTopic string
	now      time.Time
}

func (d showView) DetailSections(st *output.Styles) []output.Section {
	m := d.Message.DLQMessage
	secs := []output.Section{
		{Title: "Message", Fields: []output.Field{
			{Key: "Event ID", Value: orDash(m.EventID())},
			{Key: "Event type", Value: orDash(m.EventType())},
			{Key: "Original topic", Value: m.OriginalTopic},
			{Key: "Status", Value: st.Status(string(m.Status))},
			{Key: "Retry count", Value: strconv.FormatInt(m.RetryCount, 10)},
			{Key: "Producer", Value: orDash(m.ProducerID)},
		}},
		{Title: "Error", Fields: []output.Field{
			{Key: "Error", Value: orDash(m.Error)},
			{Key: "Last error", Value: orDash(deref(m.LastError))},
			{Key: "Send failures", Value: countOrDash(d.Message.SendFailures)},
		}},
		{Title: "Timeline", Fields: d.timeline(m)},
		{Title: "Source", Fields: []output.Field{
			{Key: "DLQ topic", Value: orDash(d.dlqTopic)},
			{Key: "Partition", Value: intPtr(m.DLQPartition)},
			{Key: "Offset", Value: intPtr(m.DLQOffset)},
		}},
	}
	if d.Policy != nil {
		secs = append(secs, output.Section{Title: "Retry policy", Fields: d.policyFields(st)})
	}
	if len(d.InvalidFields) > 0 {
		fields := make([]output.Field, len(d.InvalidFields))
		for i, p := range d.InvalidFields {
			fields[i] = output.Field{Key: p.Field, Value: p.Error}
		}
		secs = append([]output.Section{{Title: "Problems (fields that could not be read)", Fields: fields}}, secs...)
	}
	if e := d.Edits; e != nil {
		secs = append(secs, output.Section{Title: "Edited", Fields: d.editFields(e)})
	}
	secs = append(secs, output.Section{Title: "Headers", Fields: headerFields(m.Headers)})
	return append(secs, output.Section{Title: "Event", Fields: []output.Field{{Key: "JSON", Value: prettyJSON(d.Message.Event)}}})
}

func (d showView) editFields(e *showEditsJSON) []output.Field {
	times := "1 edit"
	if e.Count > 1 {
		times = strconv.Itoa(e.Count) + " edits"
	}
	fields := []output.Field{{Key: "Latest", Value: orDash(e.LatestBy) + ", " + d.when(&e.LatestAt) + " (" + times + ")"}}
	if e.LatestReason != "" {
		fields = append(fields, output.Field{Key: "Reason", Value: e.LatestReason})
	}
	if len(e.Changes) == 0 {
		return append(fields, output.Field{Key: "Changes", Value: "none from the original"})
	}
	return append(fields, changeFields(e.Changes)...)
}

func (d showView) timeline(m *contract.DLQMessage) []output.Field {
	fields := []output.Field{
		{Key: "Failed", Value: d.when(&m.FailedAt)},
		{Key: "Received", Value: d.when(&m.CreatedAt)},
		{Key: "Last updated", Value: d.when(m.LastUpdated)},
		{Key: "Next retry", Value: d.when(m.NextRetryAt)},
		{Key: "Retried", Value: d.when(m.RetriedAt)},
		{Key: "Discarded", Value: d.when(m.DiscardedAt)},
	}
	if r := deref(m.DiscardReason); r != "" {
		fields = append(fields, output.Field{Key: "Discard reason", Value: r})
	}
	return fields
}

func (d showView) policyFields(st *output.Styles) []output.Field {
	p := d.Policy
	fields := append(p.fields(), output.Field{Key: "Source", Value: p.Source})
	next := st.Faint("no automatic retry")
	if p.NextRetryAt != nil {
		next = d.when(p.NextRetryAt)
	}
	if p.Note != "" {
		next += " (" + p.Note + ")"
	}
	return append(fields, output.Field{Key: "Next retry", Value: next})
}

// when shows an instant both exactly and relative to now: the exact time
// for correlating with logs, the relative one for reading at a glance.
func (d showView) when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format(contract.TimeFormat) + " (" + output.RelativeTime(d.now, *t) + ")"
}

func headerFields(h map[string]string) []output.Field {
	if len(h) == 0 {
		return []output.Field{{Key: "None", Value: "-"}}
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fields := make([]output.Field, len(keys))
	for i, k := range keys {
		fields[i] = output.Field{Key: k, Value: h[k]}
	}
	return fields
}

func prettyJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func intPtr(n *int64) string {
	if n == nil {
		return "-"
	}
	return strconv.FormatInt(*n, 10)
}

// countOrDash shows a count, or a dash for none (absent or zero).
func countOrDash(n *int64) string {
	if n == nil || *n == 0 {
		return "-"
	}
	return strconv.FormatInt(*n, 10)
}
