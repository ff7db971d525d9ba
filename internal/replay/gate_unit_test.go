package replay

import "testing"

// The reservation grows four times over while the reader uses all of it
// (held at the gate), twice otherwise, and stays within its bounds.
func TestNextReserveGrowsFasterWhileTheReaderIsHeld(t *testing.T) {
	cases := []struct {
		name               string
		sentSince, reserve int64
		want               int64
	}{
		{"held at the first reservation", minReserve, minReserve, 4 * minReserve},
		{"held later", 4096, 4096, 4 * 4096},
		{"not held", 1000, 4096, 2000},
		{"slow replay keeps the floor", 3, minReserve, minReserve},
		{"idle keeps the floor", 0, 4096, minReserve},
		{"held near the cap", 10000, 10000, maxReserve},
		{"fast interval is capped", 50000, maxReserve, maxReserve},
	}
	for _, c := range cases {
		if got := nextReserve(c.sentSince, c.reserve); got != c.want {
			t.Errorf("%s: nextReserve(%d, %d) = %d, want %d", c.name, c.sentSince, c.reserve, got, c.want)
		}
	}
}
