package dlqjob

import "time"

// Progress is a job's speed and what remains, for show and watch.
type Progress struct {
	Remaining int64
	// PerSecond is the observed rate since the job started (0 = unknown).
	PerSecond float64
	// ETA is the time left at PerSecond, or at the job's rate cap before
	// anything was handled; ok is false when neither is known.
	ETA    time.Duration
	HasETA bool
}

// ProgressOf computes a job's progress at now.
func ProgressOf(j *Job, now time.Time) Progress {
	p := Progress{Remaining: max(j.ToMove-j.Handled(), 0)}
	if j.StartedAt != nil && j.Handled() > 0 {
		end := now
		if j.FinishedAt != nil {
			end = *j.FinishedAt
		}
		if el := end.Sub(*j.StartedAt); el > 0 {
			p.PerSecond = float64(j.Handled()) / el.Seconds()
		}
	}
	rate := p.PerSecond
	if rate == 0 {
		rate = j.Rate
	}
	switch {
	case j.Status.Terminal() || p.Remaining == 0:
		p.ETA, p.HasETA = 0, true
	case rate > 0:
		p.ETA, p.HasETA = time.Duration(float64(p.Remaining)/rate*float64(time.Second)).Round(time.Second), true
	}
	return p
}
