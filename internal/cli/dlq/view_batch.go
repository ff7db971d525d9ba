package dlqcmd

import (
	"fmt"
	"strconv"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

// maxRefusalRows bounds the refused rows of a table: a filter over a big
// queue can match thousands of finished messages, and the count says
// enough; -o json lists every one.
const maxRefusalRows = 20

// refusalRows renders refusals as table rows, summarising past the bound.
func refusalRows(rs []refusalJSON, cells func(i int, r refusalJSON) []string) [][]string {
	rows := make([][]string, 0, min(len(rs), maxRefusalRows+1))
	for i, r := range rs {
		if i == maxRefusalRows {
			rows = append(rows, []string{fmt.Sprintf("(%d more refused)", len(rs)-maxRefusalRows)})
			break
		}
		rows = append(rows, cells(i, r))
	}
	return rows
}

// refusalJSON is a message left alone because its status is terminal.
type refusalJSON struct {
	EventID string `json:"event_id"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
}

func newRefusals(rs []dlq.Refusal) []refusalJSON {
	out := make([]refusalJSON, len(rs))
	for i, r := range rs {
		out[i] = refusalJSON{EventID: r.EventID, Status: string(r.Status), Reason: r.Reason}
	}
	return out
}

// itemJSON is the outcome for one message.
type itemJSON struct {
	EventID    string `json:"event_id"`
	Topic      string `json:"topic"`
	OK         bool   `json:"ok"`
	Error      string `json:"error,omitempty"`
	RetryCount int64  `json:"retry_count"`
}

// batchView is what retry and discard print once they have acted.
type batchView struct {
	Action    string        `json:"action"`
	Succeeded int64         `json:"succeeded"`
	Failed    int64         `json:"failed"`
	Refused   int64         `json:"refused"`
	Results   []itemJSON    `json:"results"`
	Refusals  []refusalJSON `json:"refusals"`
	// Skipped are the documents a selection by filter could not read.
	Skipped []output.Skipped `json:"skipped"`

	shortID bool
}

func newBatchView(action string, res *dlq.BatchResult, plan *dlq.Plan, shortID bool) batchView {
	b := batchView{Action: action, Results: []itemJSON{}, Refusals: newRefusals(plan.Refused),
		Skipped: cmdutil.SkippedDocs(plan.Skipped), shortID: shortID}
	if res == nil {
		b.Refused = int64(len(b.Refusals))
		return b
	}
	// The domain's refusals include the plan's plus messages another
	// process took or changed between planning and sending.
	if res.Refusals != nil {
		b.Refusals = newRefusals(res.Refusals)
	}
	b.Succeeded, b.Failed = res.Succeeded, res.Failed
	b.Refused = max(res.Refused, int64(len(b.Refusals)))
	for _, r := range res.Results {
		b.Results = append(b.Results, itemJSON{EventID: r.EventID, Topic: r.Topic, OK: r.OK, Error: r.Error, RetryCount: r.RetryCount})
	}
	return b
}

func (b batchView) TableHeader() []string {
	return []string{"EVENT ID", "TOPIC", "RESULT", "RETRIES", "ERROR"}
}

func (b batchView) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(b.Results)+len(b.Refusals))
	ids := batchIDs(b.Results, b.Refusals, func(r itemJSON) string { return r.EventID }, b.shortID)
	for i, r := range b.Results {
		result := st.SuccessIcon()
		if !r.OK {
			result = st.FailureIcon()
		}
		rows = append(rows, []string{ids[i], r.Topic, result, strconv.FormatInt(r.RetryCount, 10), oneLine(r.Error)})
	}
	refusedIDs := ids[len(b.Results):]
	return append(rows, refusalRows(b.Refusals, func(i int, r refusalJSON) []string {
		return []string{refusedIDs[i], "-", st.Yellow("refused"), "-", refusalText(r)}
	})...)
}

// batchIDs shortens the ids of a batch table together, items first, so
// they stay unique across both kinds of row.
func batchIDs[T any](items []T, refusals []refusalJSON, id func(T) string, short bool) []string {
	ids := make([]string, 0, len(items)+len(refusals))
	for _, it := range items {
		ids = append(ids, id(it))
	}
	for _, r := range refusals {
		ids = append(ids, r.EventID)
	}
	return displayIDs(ids, short)
}

func refusalText(r refusalJSON) string {
	if r.Reason != "" {
		return r.Reason
	}
	return "already " + r.Status
}

// plannedJSON is one message a dry run would act on.
type plannedJSON struct {
	EventID       string `json:"event_id"`
	EventType     string `json:"event_type"`
	Status        string `json:"status"`
	RetryCount    int64  `json:"retry_count"`
	OriginalTopic string `json:"original_topic"`
	Topic         string `json:"topic"`
}

// dryRunView is what `retry --dry-run` and `discard --dry-run` print.
type dryRunView struct {
	DryRun   bool           `json:"dry_run"`
	Action   string         `json:"action"`
	Count    int            `json:"count"`
	ByTopic  map[string]int `json:"by_topic"`
	Messages []plannedJSON  `json:"messages"`
	Refusals []refusalJSON  `json:"refusals"`
	// Skipped are the documents a selection by filter could not read.
	Skipped []output.Skipped `json:"skipped"`

	shortID bool
}

func newDryRunView(action string, plan *dlq.Plan, toTopic string, shortID bool) dryRunView {
	d := dryRunView{DryRun: true, Action: action, Count: len(plan.Messages), ByTopic: byTopic(plan, toTopic),
		Messages: make([]plannedJSON, 0, len(plan.Messages)), Refusals: newRefusals(plan.Refused),
		Skipped: cmdutil.SkippedDocs(plan.Skipped), shortID: shortID}
	for i := range plan.Messages {
		m := &plan.Messages[i]
		d.Messages = append(d.Messages, plannedJSON{EventID: m.EventID(), EventType: m.EventType(),
			Status: string(m.Status), RetryCount: m.RetryCount, OriginalTopic: m.OriginalTopic,
			Topic: destination(m.OriginalTopic, toTopic)})
	}
	return d
}

func (d dryRunView) TableHeader() []string {
	return []string{"EVENT ID", "TYPE", "TOPIC", "STATUS", "RETRIES", "WOULD"}
}

func (d dryRunView) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(d.Messages)+len(d.Refusals))
	ids := batchIDs(d.Messages, d.Refusals, func(m plannedJSON) string { return m.EventID }, d.shortID)
	for i, m := range d.Messages {
		rows = append(rows, []string{ids[i], orDash(m.EventType), m.Topic,
			st.Status(m.Status), strconv.FormatInt(m.RetryCount, 10), d.Action})
	}
	refusedIDs := ids[len(d.Messages):]
	return append(rows, refusalRows(d.Refusals, func(i int, r refusalJSON) []string {
		return []string{refusedIDs[i], "-", "-", st.Status(r.Status), "-", st.Yellow("refuse: " + refusalText(r))}
	})...)
}

// destination is where a retry sends a message: --to-topic, else the
// topic it originally failed on.
func destination(original, toTopic string) string {
	if toTopic != "" {
		return toTopic
	}
	return original
}

// byTopic counts eligible messages per destination, from the plan when the
// domain filled it in, else from the messages themselves.
func byTopic(plan *dlq.Plan, toTopic string) map[string]int {
	if len(plan.ByTopic) > 0 {
		return plan.ByTopic
	}
	out := make(map[string]int)
	for i := range plan.Messages {
		out[destination(plan.Messages[i].OriginalTopic, toTopic)]++
	}
	return out
}
