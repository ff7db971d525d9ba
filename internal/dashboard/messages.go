package dashboard

import (
	"fmt"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
)

func (m *Model) messagesList() list {
	l := list{
		cols: []column{
			{Title: "EVENT ID", Width: 12},
			{Title: "TYPE", Width: 16, Drop: 2},
			{Title: "TOPIC", Width: 18, Drop: 3},
			{Title: "STATUS", Width: 9},
			{Title: "RETRY", Width: 5},
			{Title: "FAILED", Width: 8, Drop: 1},
			{Title: "ERROR", Flex: true, Min: 24},
		},
		statusCol: 3,
		empty:     "no DLQ messages",
	}
	now := m.opts.Now()
	for _, msg := range m.messages {
		id := msg.EventID()
		l.keys = append(l.keys, id)
		l.rows = append(l.rows, []string{
			output.ShortID(id), msg.EventType(), msg.OriginalTopic, string(msg.Status),
			fmt.Sprintf("%d", msg.RetryCount), output.RelativeTime(now, msg.FailedAt), oneLine(msg.Error),
		})
	}
	return l
}

func (m *Model) currentMessage() (contract.DLQMessage, bool) {
	i, ok := m.current(viewMessages)
	if !ok {
		return contract.DLQMessage{}, false
	}
	return m.messages[i], true
}
