package jobscmd

import (
	"fmt"
	"strconv"
	"time"

	"github.com/integr8scode/replayctl/internal/output"
)

// listView is `dlq jobs list`: {"items": [...], "total": N, "skipped": [...]}.
type listView struct {
	Items   []JobView        `json:"items" yaml:"items"`
	Total   int64            `json:"total" yaml:"total"`
	Skipped []output.Skipped `json:"skipped" yaml:"skipped"`
	now     time.Time
}

func (v listView) TableHeader() []string {
	return []string{"JOB", "KIND", "STATUS", "DONE/TO MOVE", "FAILED", "RATE", "REQUESTED BY", "CREATED"}
}

func (v listView) TableRows(*output.Styles) [][]string {
	rows := make([][]string, len(v.Items))
	for i, j := range v.Items {
		status := string(j.Status)
		if j.CancelRequested && !j.Status.Terminal() {
			status += "*"
		}
		rows[i] = []string{output.ShortID(j.ID), string(j.Kind), status, fmt.Sprintf("%d/%d", j.Done, j.ToMove),
			strconv.FormatInt(j.Failed, 10), rate(j.Rate), orDash(j.RequestedBy), output.RelativeTime(v.now, j.CreatedAt)}
	}
	return rows
}
