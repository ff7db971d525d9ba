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
