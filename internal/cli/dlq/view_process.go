package dlqcmd

import (
	"fmt"
	"strconv"

	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

// processView is the summary `dlq process` prints when it stops.
type processView struct {
	Received    int64 `json:"received"`
	Duplicates  int64 `json:"duplicates"`
	Dropped     int64 `json:"dropped"`
	Quarantined int64 `json:"quarantined"`
	Discarded   int64 `json:"discarded"`
	Scheduled   int64 `json:"scheduled"`
	Retried     int64 `json:"retried"`
	RetryFailed int64 `json:"retry_failed"`
}

func newProcessView(s dlq.ProcessStats) processView {
	return processView{Received: s.Received, Duplicates: s.Duplicates, Dropped: s.Dropped,
		Quarantined: s.Quarantined, Discarded: s.Discarded, Scheduled: s.Scheduled,
		Retried: s.Retried, RetryFailed: s.RetryFailed}
}

func (s processView) DetailSections(_ *output.Styles) []output.Section {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []output.Section{{Title: "DLQ processing", Fields: []output.Field{
		{Key: "Received", Value: n(s.Received)},
		{Key: "Duplicates", Value: n(s.Duplicates) + " (already stored, unchanged)"},
		{Key: "Dropped", Value: n(s.Dropped) + " (older than 7 days or test- ids)"},
		{Key: "Quarantined", Value: n(s.Quarantined) + " (malformed; see 'dlq list --invalid')"},
		{Key: "Discarded", Value: n(s.Discarded)},
		{Key: "Scheduled", Value: n(s.Scheduled)},
		{Key: "Retried", Value: n(s.Retried)},
		{Key: "Retry failed", Value: n(s.RetryFailed)},
	}}}
}

// statusText is the one-line live status shown while processing.
func statusText(s dlq.ProcessStats) string {
	line := fmt.Sprintf("received %d, quarantined %d, scheduled %d, retried %d, discarded %d",
		s.Received, s.Quarantined, s.Scheduled, s.Retried, s.Discarded)
	if s.RetryFailed > 0 {
		line += fmt.Sprintf(", %d retries failed", s.RetryFailed)
	}
	return line
}
