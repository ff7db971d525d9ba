package output

import (
	"math"
	"testing"
	"time"
)

func TestRelativeTime(t *testing.T) {
	now := testNow
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "-"},
		{now, "just now"},
		{now.Add(-999 * time.Millisecond), "just now"},
		{now.Add(500 * time.Millisecond), "just now"},
		{now.Add(-time.Second), "1s ago"},
		{now.Add(-45 * time.Second), "45s ago"},
		{now.Add(-59*time.Second - 999*time.Millisecond), "59s ago"}, // floored, never overstated
		{now.Add(-time.Minute), "1m ago"},
		{now.Add(-3*time.Minute - 59*time.Second), "3m ago"},
		{now.Add(-5 * time.Hour), "5h ago"},
		{now.Add(-23*time.Hour - 59*time.Minute), "23h ago"},
		{now.Add(-48 * time.Hour), "2d ago"},
		{now.Add(-364 * day), "364d ago"},
		{now.Add(-800 * day), "2y ago"},
		{now.Add(5 * time.Second), "in 5s"},
		{now.Add(5 * time.Minute), "in 5m"},
		{now.Add(3 * time.Hour), "in 3h"},
		{now.Add(50 * time.Hour), "in 2d"},
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), "in 292y"}, // Sub saturates
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), "in 292y"}, // Sub saturates
	}
	for _, c := range cases {
		if got := RelativeTime(now, c.t); got != c.want {
			t.Errorf("RelativeTime(now%+v) = %q, want %q", c.t.Sub(now), got, c.want)
		}
	}
	// Time zones must not matter, only the instant.
	if got := RelativeTime(now, now.Add(-2*time.Hour).In(time.FixedZone("X", 5*3600))); got != "2h ago" {
		t.Errorf("zone: %q", got)
	}
}

func TestDuration(t *testing.T) {
	cases := map[time.Duration]string{
		0:                      "0s",
		500:                    "500ns",
		1500 * time.Nanosecond: "2µs",
		350 * time.Millisecond: "350ms",
		999*time.Millisecond + 600*time.Microsecond:            "1s",
		1200 * time.Millisecond:                                "1.2s",
		1249 * time.Millisecond:                                "1.2s",
		2 * time.Second:                                        "2s",
		9960 * time.Millisecond:                                "10s",
		45 * time.Second:                                       "45s",
		59600 * time.Millisecond:                               "1m",
		3*time.Minute + 4*time.Second:                          "3m4s",
		3 * time.Minute:                                        "3m",
		2*time.Hour + 5*time.Minute:                            "2h5m",
		2*time.Hour + 5*time.Minute + 40*time.Second:           "2h6m",
		59*time.Minute + 59*time.Second + 600*time.Millisecond: "1h",
		27 * time.Hour:                                         "1d3h",
		72 * time.Hour:                                         "3d",
		-1500 * time.Millisecond:                               "-1.5s",
		math.MinInt64:                                          "-106751d23h",
	}
	for in, want := range cases {
		if got := Duration(in); got != want {
			t.Errorf("Duration(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello world", 5, "hell…"},
		{"héllo wörld", 7, "héllo …"}, // multi-byte runes count once
		{"héllo", 4, "hél…"},
		{"日本語テキスト", 5, "日本…"},           // wide runes take two columns
		{"日本語テキスト", 6, "日本…"},           // never split a wide rune
		{"e\u0301cole", 3, "e\u0301c…"}, // combining marks take no column
		{"abc", 1, "…"},
		{"abc", 0, ""},
		{"abc", -1, ""},
		{"", 3, ""},
		{"\x1b[31mfailed\x1b[0m", 6, "\x1b[31mfailed\x1b[0m"}, // escapes take no width
		{"\x1b[31mfailed\x1b[0m", 4, "\x1b[31mfai\x1b[0m…"},   // and survive truncation
	}
	for _, c := range cases {
		got := Truncate(c.in, c.n)
		if got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
		if c.n > 0 && Width(got) > c.n {
			t.Errorf("Truncate(%q, %d) is %d columns wide", c.in, c.n, Width(got))
		}
	}
}
