package flagvalue

import (
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/fault"
)

// timeWant is the one description of a time value, in every error.
const timeWant = "want a duration (90s, 15m, 1d12h), an RFC 3339 time or a date (2026-11-29)"

// absoluteLayouts are the absolute forms Time accepts. A time without a
// zone and a plain date are UTC: the platform stores UTC, and a date means
// its first instant.
var absoluteLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly}

// ParseTime reads a point in time: a duration back from now (see
// ParseDuration), "now", an RFC 3339 time, an RFC 3339 time without a zone
// (UTC) or a date (UTC midnight). The result is UTC at millisecond
// precision, as MongoDB stores dates. ok is false when s is none of these.
func ParseTime(s string, now time.Time) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "now") {
		return now.UTC().Truncate(time.Millisecond), true
	}
	if d, err := ParseDuration(s); err == nil {
		return now.Add(-d).UTC().Truncate(time.Millisecond), true
	}
	for _, layout := range absoluteLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), true
		}
	}
	return time.Time{}, false
}

// Time parses the value of a time flag such as --since. An empty value is
// a usage error too; see OptionalTime for flags that may be left out.
func Time(flag, s string, now time.Time) (time.Time, error) {
	t, ok := ParseTime(s, now)
	if !ok {
		return time.Time{}, Invalid(flag, s, timeWant)
	}
	return t, nil
}

// OptionalTime is Time for a flag that may be empty (nil, no bound).
func OptionalTime(flag, s string, now time.Time) (*time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	t, err := Time(flag, s, now)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Age parses an age flag such as --older-than: the same values as Time,
// turned into how long before now the point lies. It must lie in the past.
func Age(flag, s string, now time.Time) (time.Duration, error) {
	t, err := Time(flag, s, now)
	if err != nil {
		return 0, err
	}
	age := now.Truncate(time.Millisecond).Sub(t)
	if d, derr := ParseDuration(strings.TrimSpace(s)); derr == nil {
		age = d // exact, without the millisecond truncation of t
	}
	if age <= 0 {
		return 0, Invalid(flag, s, "must lie in the past")
	}
	return age, nil
}

// Invalid is the usage error every parser here returns: the flag, the value
// as typed, and what would have been accepted.
func Invalid(flag, value, want string) error {
	return fault.Invalidf("invalid value %q for --%s: %s", value, flag, want)
}
