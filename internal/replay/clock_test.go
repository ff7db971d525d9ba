package replay

import (
	"testing"
	"time"
)

func TestSkewWarningAllowsForTheRoundTrip(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	const threshold = 3 * time.Second
	for _, c := range []struct {
		name          string
		rtt, ahead    time.Duration
		warn          bool
		wantSkewRound time.Duration
	}{
		{"same clock, fast reply", 2 * time.Millisecond, 0, false, 0},
		{"server ahead within the threshold", 2 * time.Millisecond, 2900 * time.Millisecond, false, 2900 * time.Millisecond},
		{"server ahead beyond the threshold", 2 * time.Millisecond, 4 * time.Second, true, 4 * time.Second},
		{"server behind beyond the threshold", 2 * time.Millisecond, -4 * time.Second, true, -4 * time.Second},
		// A 4-s round trip cannot tell 4 s of skew from a slow reply.
		{"slow reply hides the skew", 4 * time.Second, 4 * time.Second, false, 4 * time.Second},
		{"slow reply, skew still certain", 2 * time.Second, 5 * time.Second, true, 5 * time.Second},
	} {
		before, after := t0, t0.Add(c.rtt)
		server := t0.Add(c.rtt / 2).Add(c.ahead)
		skew, warn := skewTooLarge(before, after, server, threshold)
		if warn != c.warn || skew.Round(time.Millisecond) != c.wantSkewRound {
			t.Errorf("%s: skew %v warn %v, want %v %v", c.name, skew, warn, c.wantSkewRound, c.warn)
		}
	}
}

// The embedded server reports its clock in hello, so the check runs here too.
func TestServerClockIsReadFromHello(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	server, before, after, err := e.st.ServerTime(ctxT(t, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if skew, bad := skewTooLarge(before, after, server, time.Second); bad {
		t.Fatalf("the embedded server shares this host's clock, yet skew %v", skew)
	}
}
