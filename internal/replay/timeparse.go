package replay

import (
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/exitcode"
)

// durationUnits are the suffixes ParseTime accepts, Go's plus days and weeks,
// since operators think of replay windows in days.
var durationUnits = map[string]time.Duration{
	"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
}

// ParseTime reads --since/--until: a duration back from now ("90m", "2h",
// "7d", "1w", "1d12h"), "now", or an RFC 3339 time. The result is UTC at
// millisecond precision, as MongoDB stores dates.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "now") {
		return now.UTC().Truncate(time.Millisecond), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Truncate(time.Millisecond), nil
	}
	d, ok := parseDuration(s)
	if !ok {
		return time.Time{}, exitcode.Usagef("invalid time %q: give a duration back from now such as 90m, 2h or 7d, "+
			"or an RFC 3339 time such as 2026-11-20T10:00:00Z", s)
	}
	return now.Add(-d).UTC().Truncate(time.Millisecond), nil
}

// parseDuration reads one or more <number><unit> terms, e.g. "1d12h".
func parseDuration(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		j := i
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		unit, ok := durationUnits[s[i:j]]
		if i == 0 || err != nil || !ok || n > 1e6 {
			return 0, false
		}
		total += time.Duration(n * float64(unit))
		s = s[j:]
	}
	return total, true
}
