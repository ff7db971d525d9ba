package dlqcmd

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

// shortIDLen is how much of an event id a terminal table shows: enough to
// be unique in practice and accepted back as a prefix by show/retry.
const shortIDLen = 12

// messageJSON is one dlq_messages document for scripts: the stored fields
// under their stored names, with the event as a JSON object.
type messageJSON struct {
	Event json.RawMessage `json:"event"`
	*contract.DLQMessage
	// SendFailures is replayctl.send_failures, when a readable one is
	// stored (show reports an unreadable one as a problem).
	SendFailures *int64 `json:"send_failures,omitempty"`
}

func newMessageJSON(m *contract.DLQMessage) messageJSON {
	ev, err := contract.RawToJSON(m.Event)
	if err != nil || len(m.Event) == 0 {
		ev = []byte("null")
	}
	out := messageJSON{Event: ev, DLQMessage: m}
	if n, ok, err := dlq.SendFailures(m); ok && err == nil {
		out.SendFailures = &n
	}
	return out
}

// listView is `dlq list`: a page of messages plus the total that matched,
// in the list commands' shape.
type listView struct {
	pageView[messageJSON]
	shortID bool
}

func newListView(msgs []contract.DLQMessage, total int64, now time.Time, shortID bool) listView {
	items := make([]messageJSON, len(msgs))
	for i := range msgs {
		items[i] = newMessageJSON(&msgs[i])
	}
	return listView{pageView: newPageView(items, total, []output.Skipped{}, now), shortID: shortID}
}

func (l listView) TableHeader() []string {
	return []string{"EVENT ID", "TYPE", "TOPIC", "STATUS", "RETRIES", "FAILED", "NEXT RETRY", "ERROR"}
}

func (l listView) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(l.Items))
	ids := make([]string, len(l.Items))
	for i, it := range l.Items {
		ids[i] = it.EventID()
	}
	ids = displayIDs(ids, l.shortID)
	for i, it := range l.Items {
		m := it.DLQMessage
		rows = append(rows, []string{
			ids[i],
			orDash(m.EventType()),
			m.OriginalTopic,
			st.Status(string(m.Status)),
			strconv.FormatInt(m.RetryCount, 10),
			output.RelativeTime(l.now, m.FailedAt),
			relPtr(l.now, m.NextRetryAt),
			oneLine(m.Error),
		})
	}
	return rows
}

// invalidJSON is one quarantined DLQ topic record; key and value are shown
// as text because that is how an operator reads and fixes them.
type invalidJSON struct {
	Topic      string            `json:"topic"`
	Partition  int32             `json:"partition"`
	Offset     int64             `json:"offset"`
	Key        string            `json:"key"`
	Value      string            `json:"value"`
	Headers    map[string]string `json:"headers"`
	Reason     string            `json:"reason"`
	ReceivedAt time.Time         `json:"received_at"`
}

// invalidListView is `dlq list --invalid`, in the list commands' shape.
type invalidListView struct{ pageView[invalidJSON] }

func (l invalidListView) TableHeader() []string {
	return []string{"TOPIC", "PARTITION", "OFFSET", "REASON", "RECEIVED", "VALUE"}
}

func (l invalidListView) TableRows(_ *output.Styles) [][]string {
	rows := make([][]string, 0, len(l.Items))
	for _, it := range l.Items {
		rows = append(rows, []string{
			it.Topic,
			strconv.FormatInt(int64(it.Partition), 10),
			strconv.FormatInt(it.Offset, 10),
			it.Reason,
			output.RelativeTime(l.now, it.ReceivedAt),
			output.Truncate(oneLine(it.Value), 60),
		})
	}
	return rows
}

// displayIDs shortens ids for a terminal to shortIDLen characters, or to
// as many more as it takes to tell the shown ids apart, so every id on
// screen can be pasted back as a unique prefix.
func displayIDs(ids []string, short bool) []string {
	n := shortIDLen
	if short {
		for ; !prefixesUnique(ids, n); n++ {
		}
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		switch {
		case id == "":
			out[i] = "-"
		case short && len(id) > n:
			out[i] = id[:n]
		default:
			out[i] = id
		}
	}
	return out
}

// prefixesUnique reports whether the first n characters of distinct ids
// differ; it is true once n covers the longest id.
func prefixesUnique(ids []string, n int) bool {
	seen := make(map[string]string, len(ids))
	longest := 0
	for _, id := range ids {
		longest = max(longest, len(id))
		p := id[:min(n, len(id))]
		if other, ok := seen[p]; ok && other != id {
			return n >= longest
		}
		seen[p] = id
	}
	return true
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func relPtr(now time.Time, t *time.Time) string {
	if t == nil {
		return "-"
	}
	return output.RelativeTime(now, *t)
}

// oneLine collapses whitespace runs (stack traces, JSON) so an error fits a
// table cell; the table truncates it to the terminal width.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// pageView is one page of a list command: its items, how many matched in
// all and the documents skipped as malformed, printed in the list
// commands' shape; now dates the relative times of the table.
type pageView[T any] struct {
	Items   []T
	Total   int64
	Skipped []output.Skipped
	now     time.Time
}

func newPageView[T any](items []T, total int64, skipped []output.Skipped, now time.Time) pageView[T] {
	return pageView[T]{Items: items, Total: total, Skipped: skipped, now: now}
}

func (v pageView[T]) MarshalJSON() ([]byte, error) {
	return output.MarshalJSON(output.NewListDoc(v.Items, v.Total, v.Skipped))
}
