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
	spark := 12
	if m.width < wide {
		l.cols = []column{
			{Title: "TOPIC", Flex: true},
			{Title: "TOTAL", Width: 5},
			{Title: "PEND", Width: 5},
			{Title: "SCHED", Width: 5},
			{Title: "RETRD", Width: 5},
			{Title: "DISC", Width: 5},
			{Title: "OLDEST", Width: 7},
			{Title: "NEWEST", Width: 7},
			{Title: "BACKLOG", Width: 8},
		}
		spark = 8
	}
	now := m.opts.Now()
	for _, t := range m.topics {
		by := func(s contract.DLQStatus) string { return count(t.ByStatus[string(s)]) }
		l.keys = append(l.keys, t.Topic)
		l.rows = append(l.rows, []string{
			t.Topic, count(t.Total), by(contract.DLQPending), by(contract.DLQScheduled),
			by(contract.DLQRetried), by(contract.DLQDiscarded),
			output.RelativeTime(now, t.OldestFailure), output.RelativeTime(now, t.NewestFailure),
			sparkline(m.backlog.get(t.Topic), spark),
		})
	}
	return l
}
