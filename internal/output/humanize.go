package output

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

const (
	day  = 24 * time.Hour
	year = 365 * day
)

// RelativeTime describes t relative to now in the compact form used in
// table cells: "just now", "45s ago", "3m ago", "5h ago", "2d ago", "1y ago",
// or "in 5m" for future times. The zero time (never set) renders as "-".
// Units are floored so a value never claims more time than has passed.
func RelativeTime(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	future := d < 0
	d = absDuration(d)
	if d < time.Second {
		return "just now"
	}
	if future {
		return "in " + coarse(d)
	}
	return coarse(d) + " ago"
}

// coarse renders d in its single largest whole unit.
func coarse(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < day:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d < year:
		return fmt.Sprintf("%dd", d/day)
	default:
		return fmt.Sprintf("%dy", d/year)
	}
}

// absDuration saturates instead of overflowing: -math.MinInt64 is still
// negative.
func absDuration(d time.Duration) time.Duration {
	switch {
	case d == math.MinInt64:
		return math.MaxInt64
	case d < 0:
		return -d
	}
	return d
}

// durationUnit is one precision band of Duration: values below limit are
// rounded to round and printed by format.
type durationUnit struct {
	limit, round time.Duration
	format       func(time.Duration) string
}

// Duration formats d for humans with two significant units at most:
// "350ms", "1.2s", "45s", "3m4s", "2h5m", "3d4h". Unlike
// time.Duration.String it never prints "2h5m0.123456s".
func Duration(d time.Duration) string {
	if d < 0 {
		return "-" + Duration(absDuration(d))
	}
	if d == 0 {
		return "0s"
	}
	units := [...]durationUnit{
		{time.Microsecond, time.Nanosecond, func(d time.Duration) string { return fmt.Sprintf("%dns", d) }},
		{time.Millisecond, time.Microsecond, func(d time.Duration) string { return fmt.Sprintf("%dµs", d/time.Microsecond) }},
		{time.Second, time.Millisecond, func(d time.Duration) string { return fmt.Sprintf("%dms", d/time.Millisecond) }},
		{10 * time.Second, 100 * time.Millisecond, tenthsOfSeconds},
		{time.Minute, time.Second, func(d time.Duration) string { return fmt.Sprintf("%ds", d/time.Second) }},
		{time.Hour, time.Second, func(d time.Duration) string { return pair(d, time.Minute, "m", time.Second, "s") }},
		{day, time.Minute, func(d time.Duration) string { return pair(d, time.Hour, "h", time.Minute, "m") }},
	}
	// Round before choosing the band, so 59.6s becomes "1m", not "60s".
	for _, u := range units {
		if r := d.Round(u.round); r < u.limit {
			return u.format(r)
		}
	}
	return pair(d.Round(time.Hour), day, "d", time.Hour, "h")
}

func tenthsOfSeconds(d time.Duration) string {
	tenths := int64(d / (100 * time.Millisecond))
	if tenths%10 == 0 {
		return strconv.FormatInt(tenths/10, 10) + "s"
	}
	return fmt.Sprintf("%d.%ds", tenths/10, tenths%10)
}

// pair prints "<major><a><minor><b>", dropping a zero minor part ("3m").
func pair(d, major time.Duration, a string, minor time.Duration, b string) string {
	hi, lo := d/major, (d%major)/minor
	if lo == 0 {
		return fmt.Sprintf("%d%s", hi, a)
	}
	return fmt.Sprintf("%d%s%d%s", hi, a, lo, b)
}

// Truncate shortens s to at most n terminal columns, ending in "…" when
// anything was cut. It never splits a rune, counts wide (CJK) characters as
// two columns, and leaves ANSI escape sequences intact, so styled cells
// can be truncated too.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if twwidth.Width(s) <= n {
		return s
	}
	return twwidth.Truncate(s, n, "…")
}

// Width is the number of terminal columns s occupies, ignoring ANSI escape
// sequences; use it instead of len when aligning styled or non-ASCII text.
func Width(s string) int { return twwidth.Width(s) }

// shortIDLen is how much of an id (a session, job or audit record) a
// terminal shows: unique in practice (48 random bits) and accepted by every
// command as a prefix.
const shortIDLen = 12

// ShortID is the start of id that tables and hints show.
func ShortID(id string) string {
	if len(id) <= shortIDLen {
		return id
	}
	return id[:shortIDLen]
}
