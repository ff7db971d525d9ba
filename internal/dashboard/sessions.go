package dashboard

import (
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
)

// barWidth is the progress bar's cells in the lists.
const barWidth = 8

func (m *Model) sessionsList() list {
	l := list{
		cols: []column{
			{Title: "ID", Width: 12},
			{Title: "STATUS", Width: 9},
			{Title: "TYPE", Width: 10, Drop: 3},
			{Title: "TARGET", Width: 8, Drop: 4},
			{Title: "PROGRESS", Width: barWidth + 10},
			{Title: "RATE", Width: 6, Drop: 1},
			{Title: "ETA", Width: 6, Drop: 1},
			{Title: "HOLDER", Flex: true, Drop: 2},
		},
		statusCol: 1,
		empty:     "no replay sessions",
	}
	for _, r := range m.sessions {
		s := r.Session
		rate := m.sessionRate(s)
		holder := "-"
		if r.Holder != nil && r.Holder.Live {
			holder = r.Holder.Owner
		}
		l.rows = append(l.rows, []string{
			output.ShortID(s.SessionID), string(s.Status), s.Config.ReplayType, s.Config.Target,
			progressBar(sessionDone(s), s.TotalEvents, barWidth), rateText(rate), m.sessionETA(s, rate), holder,
		})
	}
	return l
}

func sessionDone(s contract.Session) int64 {
	return s.ReplayedEvents + s.FailedEvents + s.SkippedEvents
}

// sessionRate is the rate over the last refreshes while the session runs;
// before two refreshes have seen it, its average since it started.
func (m *Model) sessionRate(s contract.Session) float64 {
	if s.Status != contract.StatusRunning {
		return 0
	}
	if h := m.rates.get(s.SessionID); len(h) > 0 {
		return h[len(h)-1]
	}
	if s.StartedAt == nil {
		return 0
	}
	el := m.opts.Now().Sub(*s.StartedAt)
	if el < time.Second {
		return 0
	}
	return float64(sessionDone(s)) / el.Seconds()
}

func (m *Model) sessionETA(s contract.Session, rate float64) string {
	switch {
	case s.Status.Terminal():
		return "-"
	case s.Status != contract.StatusRunning:
		return "-"
	}
	return eta(s.TotalEvents-sessionDone(s), rate)
}

func (m *Model) currentSession() (SessionRow, bool) {
	i, ok := m.current(viewSessions)
	if !ok {
		return SessionRow{}, false
	}
	return m.sessions[i], true
}
