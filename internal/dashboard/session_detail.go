package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
)

// sessionLines is the session detail: what `replay show` says, plus the
// rate sparkline the refreshes build.
func (m *Model) sessionLines() []string {
	if m.session == nil || m.session.Session == nil {
		return []string{m.st.Bold("Session ") + visible(output.ShortID(m.sessionID)), "", "  " + m.st.Faint("loading…")}
	}
	s, now := m.session.Session, m.opts.Now()
	rate := m.sessionRate(*s)
	lines := []string{m.st.Bold("Session "+visible(s.SessionID)) + "  " + m.st.Status(visible(string(s.Status)))}
	// No value here is styled: every one is made visible, for the filter,
	// the holder and the error come from other people's input.
	field := func(name, value string) { lines = append(lines, fmt.Sprintf("  %-12s%s", name, visible(value))) }
	field("Type", s.Config.ReplayType+" → "+target(s))
	field("Filter", filterText(s.Config.Filter))
	field("Pacing", pacingText(s))
	field("Progress", fmt.Sprintf("%s  %s  ETA %s", progressBar(sessionDone(*s), s.TotalEvents, 20), rateText(rate), m.sessionETA(*s, rate)))
	field("Counters", countersText(s))
	field("Checkpoint", m.checkpointText(s))
	field("Holder", m.holderText())
	field("Created", stamp(now, s.CreatedAt)+byText(s.CreatedBy))
	if s.StartedAt != nil {
		field("Started", stamp(now, *s.StartedAt))
	}
	if s.CompletedAt != nil {
		field("Ended", stamp(now, *s.CompletedAt))
	}
	if spark := m.rates.get(s.SessionID); len(spark) > 0 {
		field("Rate", sparkline(spark, len(spark))+fmt.Sprintf("  last %d refreshes", len(spark)))
	} else {
		field("Rate", "- (drawn from the next refreshes)")
	}
	for _, r := range m.session.Requests {
		field("Request", fmt.Sprintf("%s by %s, %s", r.Action, r.RequestedBy, output.RelativeTime(now, r.RequestedAt)))
	}
	if s.Error != nil && *s.Error != "" {
		field("Error", *s.Error)
	}
	lines = append(lines, "", m.st.Bold("Last errors"))
	if len(s.Errors) == 0 {
		lines = append(lines, "  "+m.st.Faint("none"))
	}
	errs := s.Errors[max(len(s.Errors)-5, 0):]
	for i := len(errs) - 1; i >= 0; i-- {
		e := errs[i]
		ev := ""
		if e.EventID != nil {
			ev = " event " + *e.EventID
		}
		lines = append(lines, fmt.Sprintf("  %s%s: %s", e.Timestamp.UTC().Format(time.TimeOnly), visible(ev), oneLine(e.Error)))
	}
	return lines
}

func target(s *contract.Session) string {
	switch {
	case s.TargetService != nil && *s.TargetService != "":
		return s.Config.Target + " (" + *s.TargetService + ")"
	case s.Config.TargetFilePath != nil:
		return s.Config.Target + " " + *s.Config.TargetFilePath
	}
	return s.Config.Target
}

func filterText(f contract.Filter) string {
	var parts []string
	add := func(name string, v *string) {
		if v != nil {
			parts = append(parts, name+" "+*v)
		}
	}
	if len(f.EventTypes) > 0 {
		parts = append(parts, "types "+strings.Join(f.EventTypes, ","))
	}
	if len(f.ExcludeEventTypes) > 0 {
		parts = append(parts, "not "+strings.Join(f.ExcludeEventTypes, ","))
	}
	if len(f.EventIDs) > 0 {
		parts = append(parts, fmt.Sprintf("%d event ids", len(f.EventIDs)))
	}
	add("execution", f.ExecutionID)
	add("aggregate", f.AggregateID)
	add("user", f.UserID)
	add("service", f.ServiceName)
	if f.StartTime != nil {
		parts = append(parts, "from "+f.StartTime.UTC().Format(time.DateTime))
	}
	if f.EndTime != nil {
		parts = append(parts, "until "+f.EndTime.UTC().Format(time.DateTime))
	}
	if len(parts) == 0 {
		return "every event"
	}
	return strings.Join(parts, " · ")
}

func pacingText(s *contract.Session) string {
	speed := fmt.Sprintf("speed ×%g", s.Config.SpeedMultiplier)
	if s.Config.SpeedMultiplier >= contract.NoPacing {
		speed = "as fast as possible"
	}
	if s.Replayctl != nil && s.Replayctl.RateLimit > 0 {
		speed += fmt.Sprintf(" · at most %g/s", s.Replayctl.RateLimit)
	}
	if s.DryRun {
		speed += " · dry run"
	}
	return speed
}

func countersText(s *contract.Session) string {
	t := fmt.Sprintf("replayed %d · failed %d · skipped %d of %d", s.ReplayedEvents, s.FailedEvents, s.SkippedEvents, s.TotalEvents)
	if s.Replayctl != nil && s.Replayctl.PossibleDuplicates > 0 {
		t += fmt.Sprintf(" · possible duplicates %d", s.Replayctl.PossibleDuplicates)
	}
	return t
}

func (m *Model) checkpointText(s *contract.Session) string {
	if s.Replayctl == nil || s.Replayctl.Checkpoint == nil {
		return "none"
	}
	c := s.Replayctl.Checkpoint
	t := c.Timestamp.UTC().Format(time.DateTime)
	if c.EventID != "" {
		t += " · event " + c.EventID
	}
	if s.Replayctl.CheckpointedAt != nil {
		t += " · written " + output.RelativeTime(m.opts.Now(), *s.Replayctl.CheckpointedAt)
	}
	return t
}

func (m *Model) holderText() string {
	h := m.session.Holder
	if h == nil || !h.Live {
		return "nobody"
	}
	now := m.opts.Now()
	return fmt.Sprintf("%s · epoch %d · since %s · lease expires %s", h.Owner, h.Epoch,
		output.RelativeTime(now, h.Since), output.RelativeTime(now, h.ExpiresAt))
}

func stamp(now, t time.Time) string {
	return t.UTC().Format(time.DateTime) + " (" + output.RelativeTime(now, t) + ")"
}

func byText(who *string) string {
	if who == nil || *who == "" {
		return ""
	}
	return " by " + *who
}

// oneLine folds a value onto one line, its control characters made
// visible.
func oneLine(s string) string { return visible(strings.Join(strings.Fields(s), " ")) }
