package dlqcmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

// topicJSON is one original topic's share of the queue.
type topicJSON struct {
	Topic         string           `json:"topic"`
	Total         int64            `json:"total"`
	ByStatus      map[string]int64 `json:"by_status"`
	OldestFailure time.Time        `json:"oldest_failure"`
	NewestFailure time.Time        `json:"newest_failure"`
	AvgRetryCount float64          `json:"avg_retry_count"`
	MaxRetryCount int64            `json:"max_retry_count"`
}

// topicsView is `dlq topics`.
type topicsView struct{ pageView[topicJSON] }

func newTopicsView(sums []dlq.TopicSummary, total int64, skipped []output.Skipped, now time.Time) topicsView {
	items := make([]topicJSON, len(sums))
	for i, s := range sums {
		by := make(map[string]int64, len(contract.DLQStatuses))
		for _, st := range contract.DLQStatuses {
			by[string(st)] = 0 // every status present, so scripts need no default
		}
		for k, v := range s.ByStatus {
			by[k] = v
		}
		items[i] = topicJSON{Topic: s.Topic, Total: s.Total, ByStatus: by, OldestFailure: s.OldestFailure,
			NewestFailure: s.NewestFailure, AvgRetryCount: s.AvgRetryCount, MaxRetryCount: s.MaxRetryCount}
	}
	return topicsView{newPageView(items, total, skipped, now)}
}

func (l topicsView) TableHeader() []string {
	return []string{"TOPIC", "TOTAL", "PENDING", "SCHEDULED", "RETRIED", "DISCARDED", "OLDEST", "NEWEST", "AVG RETRIES", "MAX RETRIES"}
}

func (l topicsView) TableRows(_ *output.Styles) [][]string {
	rows := make([][]string, 0, len(l.Items))
	for _, t := range l.Items {
		rows = append(rows, []string{
			t.Topic, itoa(t.Total),
			itoa(t.ByStatus[string(contract.DLQPending)]), itoa(t.ByStatus[string(contract.DLQScheduled)]),
			itoa(t.ByStatus[string(contract.DLQRetried)]), itoa(t.ByStatus[string(contract.DLQDiscarded)]),
			output.RelativeTime(l.now, t.OldestFailure), output.RelativeTime(l.now, t.NewestFailure),
			strconv.FormatFloat(t.AvgRetryCount, 'f', 1, 64), itoa(t.MaxRetryCount),
		})
	}
	return rows
}

// errorGroupJSON is one cause of failures.
type errorGroupJSON struct {
	Pattern    string    `json:"pattern"`
	Example    string    `json:"example"`
	Count      int64     `json:"count"`
	Topics     []string  `json:"topics"`
	EventTypes []string  `json:"event_types"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
}

// errorsView is `dlq errors`.
type errorsView struct{ pageView[errorGroupJSON] }

func newErrorsView(groups []dlq.ErrorGroup, total int64, skipped []output.Skipped, now time.Time) errorsView {
	items := make([]errorGroupJSON, len(groups))
	for i, g := range groups {
		items[i] = errorGroupJSON{Pattern: g.Pattern, Example: g.Example, Count: g.Count,
			Topics: nonNil(g.Topics), EventTypes: nonNil(g.EventTypes), FirstSeen: g.FirstSeen, LastSeen: g.LastSeen}
	}
	return errorsView{newPageView(items, total, skipped, now)}
}

func (l errorsView) TableHeader() []string {
	return []string{"COUNT", "ERROR", "TOPICS", "TYPES", "FIRST SEEN", "LAST SEEN"}
}

func (l errorsView) TableRows(_ *output.Styles) [][]string {
	rows := make([][]string, 0, len(l.Items))
	for _, g := range l.Items {
		rows = append(rows, []string{
			itoa(g.Count), oneLine(g.Pattern), fewOf(g.Topics, 2), fewOf(g.EventTypes, 2),
			output.RelativeTime(l.now, g.FirstSeen), output.RelativeTime(l.now, g.LastSeen),
		})
	}
	return rows
}

// fewOf lists up to n names and counts the rest, so the error pattern, not
// a long list of topics, gets the table's width.
func fewOf(names []string, n int) string {
	if len(names) <= n {
		return orDash(strings.Join(names, ", "))
	}
	return fmt.Sprintf("%s +%d", strings.Join(names[:n], ", "), len(names)-n)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
