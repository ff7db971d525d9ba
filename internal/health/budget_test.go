package health

import (
	"context"
	"testing"
	"time"
)

// The counts get most of the time but never all of it: what is left must
// be enough for the ping that tells slow from unreachable.
func TestCountBudgetLeavesTimeForAPing(t *testing.T) {
	cases := []struct {
		left, set, want time.Duration
	}{
		{10 * time.Second, 0, 7500 * time.Millisecond},
		{2 * time.Second, 0, time.Second},
		{300 * time.Millisecond, 0, 150 * time.Millisecond},
		{10 * time.Second, 20 * time.Millisecond, 20 * time.Millisecond},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), c.left)
		got := countBudget(ctx, c.set)
		cancel()
		// The deadline is read a moment after it was set.
		if got > c.want || got < c.want-50*time.Millisecond {
			t.Errorf("budget with %v left (set %v) = %v, want about %v", c.left, c.set, got, c.want)
		}
	}
}

// A --count-timeout at or above what the context has left would leave no
// time for the ping, so a slow count would read as unreachable: it is
// capped at what remains less the ping's reserve. Below that cap it is
// taken as given.
func TestCountTimeoutIsCappedToLeaveTimeForAPing(t *testing.T) {
	cases := []struct {
		left, set, want time.Duration
	}{
		{10 * time.Second, 10 * time.Second, 7500 * time.Millisecond},
		{10 * time.Second, time.Minute, 7500 * time.Millisecond},
		{2 * time.Second, 5 * time.Second, time.Second},
		{10 * time.Second, 3 * time.Second, 3 * time.Second},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), c.left)
		got := countBudget(ctx, c.set)
		cancel()
		if got > c.want || got < c.want-50*time.Millisecond {
			t.Errorf("budget with %v left, --count-timeout %v = %v, want about %v", c.left, c.set, got, c.want)
		}
	}
	if got := countBudget(context.Background(), 20*time.Second); got != 20*time.Second {
		t.Errorf("budget without a deadline, --count-timeout 20s = %v, want 20s", got)
	}
}
