package dashboard

import (
	"fmt"

	"github.com/integr8scode/replayctl/internal/output"
)

func (m *Model) workersList() list {
	l := list{
		cols: []column{
			{Title: "KIND", Width: 7},
			{Title: "ID", Width: 12},
			{Title: "OWNER", Flex: true},
			{Title: "EPOCH", Width: 5, Drop: 2},
			{Title: "SINCE", Width: 8},
			{Title: "RENEWED", Width: 8},
			{Title: "EXPIRES", Width: 8, Drop: 1},
		},
		statusCol: -1,
		empty:     "no live leases: nobody runs a session or a job",
	}
	now := m.opts.Now()
	for _, h := range m.workers {
		l.rows = append(l.rows, []string{
			h.Kind, output.ShortID(h.ID), h.Owner, fmt.Sprintf("%d", h.Epoch),
			output.RelativeTime(now, h.Since), output.RelativeTime(now, h.RenewedAt), output.RelativeTime(now, h.ExpiresAt),
		})
	}
	return l
}
