package flagvalue

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseTime checks the time parser: it never panics; a duration Go
// accepts and that is not negative is read exactly as Go reads it; every
// time it returns is UTC at millisecond precision and not after now when
// given as a duration; and every refusal carries the one error text.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"90s", "15m", "1d12h", "7d", "2w", "1.5d", ".5h", "+3h", "0", "now", "NOW", "-2h", "1e9d", "106751d", "106752d",
		"9223372036854775807ns", "2562047h47m16.854775807s", "1µs", "1μs", "2026-11-29", "2026-11-29T10:00:00Z",
		"2026-11-29T10:00:00.123456789+05:30", "2026-11-29T10:00:00", "9999-12-31T23:59:59Z", "0000-01-01", "yesterday", "",
		" 7d ", "1d 2h", "1..5h", "1h-", "d", "1",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 30, 8, 15, 30, 123456789, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if goD, err := time.ParseDuration(s); err == nil && goD >= 0 && !strings.HasPrefix(s, "-") {
			d, err := ParseDuration(s)
			if err != nil || d != goD {
				t.Fatalf("ParseDuration(%q) = %v, %v; Go reads %v", s, d, err, goD)
			}
		}
		d, derr := ParseDuration(s)
		if derr == nil && d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, d)
		}
		got, err := Time("since", s, now)
		if err != nil {
			want := `invalid value "` + s + `" for --since: ` + timeWant
			if err.Error() != strings.ReplaceAll(want, `"`+s+`"`, quote(s)) {
				t.Fatalf("Time(%q) error %q", s, err)
			}
			return
		}
		if got.Location() != time.UTC || got.Nanosecond()%int(time.Millisecond) != 0 {
			t.Fatalf("Time(%q) = %v: not UTC milliseconds", s, got)
		}
		if derr == nil && got.After(now) {
			t.Fatalf("Time(%q) = %v lies after now for a duration", s, got)
		}
		if derr == nil {
			if want := now.Add(-d).UTC().Truncate(time.Millisecond); !got.Equal(want) {
				t.Fatalf("Time(%q) = %v, want now - %v = %v", s, got, d, want)
			}
		}
	})
}

func quote(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(Invalid("x", s, "").Error(), "invalid value "), " for --x: ")
}
