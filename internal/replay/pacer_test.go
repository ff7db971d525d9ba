package replay

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// fakeClock drives the pacer the way the reader does: it sleeps exactly
// the delay the pacer asks for.
type fakeClock struct{ now time.Time }

func (c *fakeClock) send(p *pacer, ts time.Time) time.Duration {
	d := p.delay(c.now, ts)
	c.now = c.now.Add(d)
	return d
}

func TestPacerUnpacedNeverWaits(t *testing.T) {
	for _, speed := range []float64{0, 100, 250} {
		p := newPacer(speed, 0)
		c := &fakeClock{now: t0}
		for i := range 1000 {
			if d := c.send(p, t0.Add(time.Duration(i)*time.Hour)); d != 0 {
				t.Fatalf("speed %v: event %d waited %v", speed, i, d)
			}
		}
	}
}

func TestPacerSpeedDividesOriginalGaps(t *testing.T) {
	p := newPacer(2, 0)
	c := &fakeClock{now: t0}
	gaps := []time.Duration{0, 10 * time.Second, 4 * time.Second, 0, 1 * time.Second}
	ts := t0.Add(-time.Hour) // original timestamps are in the past
	start := c.now
	var elapsedOriginal time.Duration
	for i, g := range gaps {
		ts = ts.Add(g)
		elapsedOriginal += g
		c.send(p, ts)
		want := start.Add(elapsedOriginal / 2)
		if !c.now.Equal(want) {
			t.Fatalf("event %d sent at +%v, want +%v", i, c.now.Sub(start), want.Sub(start))
		}
	}
}

func TestPacerSpeedKeepsAbsoluteScheduleWhenBehind(t *testing.T) {
	p := newPacer(1, 0)
	c := &fakeClock{now: t0}
	c.send(p, t0)
	c.now = c.now.Add(5 * time.Second) // the reader was slow (e.g. a slow batch)
	if d := c.send(p, t0.Add(3*time.Second)); d != 0 {
		t.Fatalf("behind schedule, still waited %v", d)
	}
	if d := c.send(p, t0.Add(8*time.Second)); d != 3*time.Second {
		t.Fatalf("next event waited %v, want 3s (absolute schedule)", d)
	}
}

func TestPacerRateCapsEventsPerSecond(t *testing.T) {
	p := newPacer(0, 5000)
	c := &fakeClock{now: t0}
	sleeps := 0
	for range 50000 {
		if c.send(p, t0) > 0 {
			sleeps++
		}
	}
	elapsed := c.now.Sub(t0)
	// 50,000 events at 5,000/s take ~10s, running ahead by at most minSleep.
	if elapsed < 10*time.Second-2*minSleep || elapsed > 10*time.Second {
		t.Fatalf("50000 events at 5000/s took %v", elapsed)
	}
	// Delays under minSleep are carried as debt: one sleep per ~10 events.
	if sleeps > 50000/8 {
		t.Fatalf("%d sleeps for 50000 events: the pacer sleeps per event", sleeps)
	}
}

func TestPacerRateDoesNotBurstAfterIdle(t *testing.T) {
	p := newPacer(0, 10)
	c := &fakeClock{now: t0}
	c.send(p, t0)
	c.now = c.now.Add(time.Minute) // nothing to send for a minute
	c.send(p, t0)
	if d := c.send(p, t0); d != 100*time.Millisecond {
		t.Fatalf("second event after idle waited %v, want 100ms (no banked burst)", d)
	}
}

func TestPacerSpeedAndRateTakeTheLater(t *testing.T) {
	p := newPacer(10, 1) // speed would allow 10 events/s of 1s gaps; rate allows 1/s
	c := &fakeClock{now: t0}
	for i := range 5 {
		c.send(p, t0.Add(time.Duration(i)*time.Second))
	}
	if got := c.now.Sub(t0); got != 4*time.Second {
		t.Fatalf("5 events took %v, want 4s (rate-bound)", got)
	}
	p = newPacer(0.5, 100) // speed: 1s gaps become 2s; the rate allows more
	c = &fakeClock{now: t0}
	for i := range 3 {
		c.send(p, t0.Add(time.Duration(i)*time.Second))
	}
	if got := c.now.Sub(t0); got != 4*time.Second {
		t.Fatalf("3 events took %v, want 4s (speed-bound)", got)
	}
}
