package replay

import (
	"context"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/wait"
)

// minSleep is the shortest wait worth a timer: shorter delays are carried
// as debt until they add up, so an unpaced or fast replay never sleeps per
// event and the long-run schedule stays exact.
const minSleep = 2 * time.Millisecond

// pacer schedules events. With a speed multiplier X below NoPacing, event i
// is due at start + (ts_i - ts_0) / X on an absolute schedule, so errors do
// not accumulate; with a rate N, a token bucket (capacity one event, debt
// allowed) spaces events 1/N apart. The later of the two wins.
type pacer struct {
	speed float64
	rate  float64

	started bool
	wall0   time.Time // wall time of the first event
	ts0     time.Time // original timestamp of the first event

	nextFree time.Time // when the rate allows the next event
}

func newPacer(speed, rate float64) *pacer {
	if speed >= contract.NoPacing || speed <= 0 {
		speed = 0
	}
	return &pacer{speed: speed, rate: rate}
}

// unpaced reports whether the pacer never delays.
func (p *pacer) unpaced() bool { return p.speed == 0 && p.rate <= 0 }

// delay returns how long to wait at now before sending an event with
// original timestamp ts; 0 means send now (possibly running ahead by less
// than minSleep).
func (p *pacer) delay(now, ts time.Time) time.Duration {
	if p.unpaced() {
		return 0
	}
	due := now
	if p.speed > 0 {
		if !p.started {
			p.started, p.wall0, p.ts0 = true, now, ts
		}
		gap := ts.Sub(p.ts0)
		if gap < 0 {
			gap = 0
		}
		due = p.wall0.Add(time.Duration(float64(gap) / p.speed))
	}
	if p.rate > 0 {
		at := maxTime(due, now)
		if p.nextFree.Before(at.Add(-time.Duration(float64(time.Second) / p.rate))) {
			// Idle for longer than one interval: no credit is banked beyond
			// one event, so a pause never turns into a burst.
			p.nextFree = at.Add(-time.Duration(float64(time.Second) / p.rate))
		}
		p.nextFree = p.nextFree.Add(time.Duration(float64(time.Second) / p.rate))
		due = maxTime(due, p.nextFree)
	}
	if d := due.Sub(now); d >= minSleep {
		return d
	}
	return 0
}

// wait sleeps for the event's delay, or returns ctx's error.
func (p *pacer) wait(ctx context.Context, now func() time.Time, ts time.Time) error {
	if p.unpaced() {
		return nil // without reading the clock for every event
	}
	d := p.delay(now(), ts)
	if d <= 0 {
		return nil
	}
	return wait.Sleep(ctx, d)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
