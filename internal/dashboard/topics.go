package dashboard

import (
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
)

func (m *Model) topicsList() list {
	l := list{
		cols: []column{
			{Title: "TOPIC", Flex: true},
			{Title: "TOTAL", Width: 6},
			{Title: "PEND", Width: 6},
			{Title: "SCHED", Width: 6},
			{Title: "RETRIED", Width: 7, Drop: 1},
			{Title: "DISCARD", Width: 7, Drop: 1},
			{Title: "OLDEST", Width: 8, Drop: 3},
			{Title: "NEWEST", Width: 8, Drop: 2},
			{Title: "BACKLOG", Width: 12},
		},
		statusCol: -1,
		empty:     "the DLQ is empty",
	}
	now := m.opts.Now()
	for _, t := range m.topics {
		by := func(s contract.DLQStatus) string { return count(t.ByStatus[string(s)]) }
		l.rows = append(l.rows, []string{
			t.Topic, count(t.Total), by(contract.DLQPending), by(contract.DLQScheduled),
			by(contract.DLQRetried), by(contract.DLQDiscarded),
			output.RelativeTime(now, t.OldestFailure), output.RelativeTime(now, t.NewestFailure),
			sparkline(m.backlog.get(t.Topic), 12),
		})
	}
	return l
}
