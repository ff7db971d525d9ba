package replaycmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/verify"
)

// summaryView is what start, resume, run and watch print when a session
// stops. Its JSON shape is a stable interface: add fields, never rename.
type summaryView struct {
	SessionID          string                 `json:"session_id"`
	Outcome            string                 `json:"outcome"`
	Status             contract.SessionStatus `json:"status"`
	DryRun             bool                   `json:"dry_run"`
	TotalEvents        int64                  `json:"total_events"`
	ReplayedEvents     int64                  `json:"replayed_events"`
	FailedEvents       int64                  `json:"failed_events"`
	SkippedEvents      int64                  `json:"skipped_events"`
	PossibleDuplicates int64                  `json:"possible_duplicates"`
	DurationSeconds    float64                `json:"duration_seconds"`
	EventsPerSecond    float64                `json:"events_per_second"`
	Session            *contract.Session      `json:"session"`
	// Verification is set by --verify (JSON and YAML print one document).
	Verification *verify.Report `json:"verification,omitempty"`

	elapsed time.Duration
}

// newSummaryView describes s after a run of elapsed that replayed delta events.
func newSummaryView(s *contract.Session, outcome string, elapsed time.Duration, delta int64) summaryView {
	if outcome == "" {
		outcome = string(s.Status)
	}
	sum := summaryView{
		SessionID: s.SessionID, Outcome: outcome, Status: s.Status, DryRun: s.DryRun,
		TotalEvents: s.TotalEvents, ReplayedEvents: s.ReplayedEvents,
		FailedEvents: s.FailedEvents, SkippedEvents: s.SkippedEvents,
		DurationSeconds: elapsed.Seconds(), Session: s, elapsed: elapsed,
	}
	if s.Replayctl != nil {
		sum.PossibleDuplicates = s.Replayctl.PossibleDuplicates
	}
	if secs := elapsed.Seconds(); secs > 0 && delta > 0 {
		sum.EventsPerSecond = float64(delta) / secs
	}
	return sum
}

// printSummary prints the summary: human lines go to stderr when the
// events themselves went to stdout.
func printSummary(ios *output.IOStreams, p *output.Printer, sum summaryView, toStderr bool) error {
	if p.Format() != output.FormatTable {
		return p.Print(sum)
	}
	w := ios.Out
	if toStderr {
		w = ios.ErrOut
	}
	_, err := fmt.Fprint(w, sum.text(p.Styles()))
	return err
}

// maxSummaryErrors bounds the errors a summary repeats; show lists more.
const maxSummaryErrors = 5

func (s summaryView) text(st *output.Styles) string {
	var b strings.Builder
	b.WriteString(s.headline(st) + "\n")
	if s.PossibleDuplicates > 0 {
		fmt.Fprintf(&b, "  %d event(s) may have been sent twice (a runner stopped between sending and checkpointing).\n", s.PossibleDuplicates)
	}
	if s.FailedEvents > 0 || s.Status == contract.StatusFailed {
		for _, e := range newestErrors(s.Session.Errors, maxSummaryErrors) {
			fmt.Fprintf(&b, "  %s %s\n", st.Red("-"), errorLine(e))
		}
	}
	switch s.Status {
	case contract.StatusPaused:
		fmt.Fprintf(&b, "Resume with: replayctl replay resume %s\n", s.SessionID)
	case contract.StatusFailed:
		fmt.Fprintf(&b, "Details: replayctl replay show %s\n", s.SessionID)
	}
	return b.String()
}

func (s summaryView) headline(st *output.Styles) string {
	counts := s.counts()
	switch s.Status {
	case contract.StatusCompleted:
		if s.FailedEvents > 0 {
			return fmt.Sprintf("%s Session %s completed with failures: %s", st.WarningIcon(), s.SessionID, counts)
		}
		what := "Session"
		if s.DryRun {
			what = "Dry run of session"
		}
		return fmt.Sprintf("%s %s %s completed: %s", st.SuccessIcon(), what, s.SessionID, counts)
	case contract.StatusFailed:
		return fmt.Sprintf("%s Session %s failed: %s", st.FailureIcon(), s.SessionID, counts)
	case contract.StatusCancelled:
		return fmt.Sprintf("%s Session %s was cancelled at event %d/%d: %s", st.WarningIcon(), s.SessionID, s.processed(), s.TotalEvents, counts)
	case contract.StatusPaused:
		return fmt.Sprintf("%s Session %s was paused at event %d/%d: %s", st.WarningIcon(), s.SessionID, s.processed(), s.TotalEvents, counts)
	default:
		return fmt.Sprintf("Session %s is %s: %s", s.SessionID, s.Status, counts)
	}
}

// counts is "5000 replayed, 0 failed, 2 skipped in 4.2s (1190 events/s)".
func (s summaryView) counts() string {
	verb := "replayed"
	if s.DryRun {
		verb = "would have been sent"
	}
	out := fmt.Sprintf("%d %s, %d failed, %d skipped", s.ReplayedEvents, verb, s.FailedEvents, s.SkippedEvents)
	if s.elapsed > 0 {
		out += " in " + output.Duration(s.elapsed)
	}
	if s.EventsPerSecond > 0 {
		out += fmt.Sprintf(" (%.0f events/s)", s.EventsPerSecond)
	}
	return out
}

func (s summaryView) processed() int64 { return s.ReplayedEvents + s.FailedEvents + s.SkippedEvents }

// newestErrors returns up to n entries, newest first; the engine appends,
// so the newest are at the end.
func newestErrors(errs []contract.SessionError, n int) []contract.SessionError {
	out := make([]contract.SessionError, 0, min(n, len(errs)))
	for i := len(errs) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, errs[i])
	}
	return out
}

func errorLine(e contract.SessionError) string {
	parts := []string{}
	if e.EventID != nil && *e.EventID != "" {
		parts = append(parts, "event "+*e.EventID)
	}
	if e.ErrorType != nil && *e.ErrorType != "" {
		parts = append(parts, *e.ErrorType)
	}
	prefix := strings.Join(parts, " ")
	if prefix != "" {
		prefix += ": "
	}
	return prefix + oneLine(e.Error)
}

// oneLine keeps a multi-line error from breaking a list or table layout.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
