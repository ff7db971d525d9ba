package dlqjob

import (
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/fault"
)

func TestStateMachineAllowsOnlyTheLifecycle(t *testing.T) {
	allowed := map[Status]map[Event]Status{
		StatusPending:    {EventStart: StatusRunning, EventCancel: StatusCancelled, EventFail: StatusFailed},
		StatusRunning:    {EventStart: StatusRunning, EventRelease: StatusPending, EventCancel: StatusCancelling, EventComplete: StatusCompleted, EventFail: StatusFailed},
		StatusCancelling: {EventStart: StatusCancelling, EventRelease: StatusCancelling, EventCancel: StatusCancelling, EventStopped: StatusCancelled, EventFail: StatusFailed},
	}
	events := []Event{EventStart, EventRelease, EventCancel, EventStopped, EventComplete, EventFail}
	for _, from := range Statuses {
		for _, e := range events {
			to, err := Next(from, e)
			want, ok := allowed[from][e]
			switch {
			case ok && (err != nil || to != want):
				t.Errorf("%s --%s--> got %s, %v; want %s", from, e, to, err, want)
			case !ok && err == nil:
				t.Errorf("%s --%s--> %s allowed; want refused", from, e, to)
			case !ok && fault.KindOf(err) != fault.Conflict:
				t.Errorf("%s --%s--> error kind %v, want conflict", from, e, fault.KindOf(err))
			}
		}
	}
}

func TestTerminalStatusesAcceptNoEvent(t *testing.T) {
	for _, s := range []Status{StatusCancelled, StatusCompleted, StatusFailed} {
		if !s.Terminal() {
			t.Errorf("%s not terminal", s)
		}
		if _, err := Next(s, EventCancel); err == nil || err.Error() != "the job is already "+string(s) {
			t.Errorf("cancel of %s: %v", s, err)
		}
	}
	for _, s := range []Status{StatusPending, StatusRunning, StatusCancelling} {
		if s.Terminal() {
			t.Errorf("%s terminal", s)
		}
	}
}

func TestETAUsesObservedRateElseTheCap(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	started := now.Add(-10 * time.Second)
	cases := []struct {
		name    string
		j       Job
		eta     time.Duration
		has     bool
		perSec  float64
		remains int64
	}{
		{"not started, rate cap", Job{ToMove: 100, Rate: 20, Status: StatusPending}, 5 * time.Second, true, 0, 100},
		{"not started, no cap", Job{ToMove: 100, Status: StatusPending}, 0, false, 0, 100},
		{"observed", Job{ToMove: 100, Rate: 40, Status: StatusRunning, StartedAt: &started, Counters: Counters{Done: 40, Failed: 5, Refused: 5}}, 10 * time.Second, true, 5, 50},
		{"finished", Job{ToMove: 10, Status: StatusCompleted, StartedAt: &started, Counters: Counters{Done: 10}}, 0, true, 1, 0},
	}
	for _, c := range cases {
		p := ProgressOf(&c.j, now)
		if p.HasETA != c.has || p.ETA != c.eta || p.PerSecond != c.perSec || p.Remaining != c.remains {
			t.Errorf("%s: got %+v; want eta %v (%v) rate %v remaining %d", c.name, p, c.eta, c.has, c.perSec, c.remains)
		}
	}
}

func TestJobErrorsAreBounded(t *testing.T) {
	var j Job
	for i := range 25 {
		j.addErrors(JobError{Error: string(rune('a' + i))})
	}
	if len(j.Errors) != maxErrors || j.Errors[maxErrors-1].Error != "y" || j.Errors[0].Error != "p" {
		t.Fatalf("errors = %+v", j.Errors)
	}
}

func TestUnpacedChunksAimAtTheTargetDurationWithinBounds(t *testing.T) {
	cases := []struct {
		rate float64
		size int
		took time.Duration
		want int
	}{
		{0, 400, 4 * time.Second, 200},        // too slow: shrink
		{0, 400, 40 * time.Second, 200},       // never below half at once
		{0, 120, 10 * time.Second, 100},       // floor
		{0, 100, 100 * time.Millisecond, 200}, // too fast: double at most
		{0, 400, 100 * time.Millisecond, 500}, // ceiling
		{0, 200, 2 * time.Second, 200},
		{20, 10, 5 * time.Second, 10}, // paced: fixed
	}
	for _, c := range cases {
		if got := nextChunk(c.rate, c.size, c.took); got != c.want {
			t.Errorf("nextChunk(%v, %d, %v) = %d, want %d", c.rate, c.size, c.took, got, c.want)
		}
	}
}
