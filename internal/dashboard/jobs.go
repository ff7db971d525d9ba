package dashboard

import (
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/output"
)

func (m *Model) jobsList() list {
	l := list{
		cols: []column{
			{Title: "ID", Width: 12},
			{Title: "KIND", Width: 7},
			{Title: "STATUS", Width: 10},
			{Title: "PROGRESS", Width: barWidth + 10},
			{Title: "RATE", Width: 6, Drop: 1},
			{Title: "ETA", Width: 6, Drop: 1},
			{Title: "HOLDER", Flex: true, Drop: 2},
		},
		statusCol: 2,
		empty:     "no redrive jobs",
	}
	now := m.opts.Now()
	for i := range m.jobs {
		j := &m.jobs[i]
		p := dlqjob.ProgressOf(&j.Job, now)
		etaText := "-"
		if p.HasETA && !j.Status.Terminal() {
			etaText = output.Duration(p.ETA)
		}
		holder := j.Holder.Owner
		if holder == "" || j.Status.Terminal() {
			holder = "-"
		}
		l.keys = append(l.keys, j.ID)
		l.rows = append(l.rows, []string{
			output.ShortID(j.ID), string(j.Kind), jobStatus(j),
			progressBar(j.Handled(), j.ToMove, barWidth), rateText(p.PerSecond), etaText, holder,
		})
	}
	return l
}

// jobStatus is a job's status, or "cancelling" while a cancel request
// waits for its holder: the status the holder gives the job when it sees
// the request (within half a second, or once a stuck holder's lease
// lapses), shown from the request on.
func jobStatus(j *JobRow) string {
	if j.CancelRequested && !j.Status.Terminal() {
		return "cancelling"
	}
	return string(j.Status)
}

func (m *Model) currentJob() (*dlqjob.Job, bool) {
	i, ok := m.current(viewJobs)
	if !ok {
		return nil, false
	}
	return &m.jobs[i].Job, true
}
