package flagvalue

import (
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/fault"
)

var testNow = time.Date(2026, 11, 30, 8, 15, 30, 123456789, time.UTC)

func TestParseDurationAcceptsGoAndDayUnits(t *testing.T) {
	cases := map[string]time.Duration{
		"0":         0,
		"90s":       90 * time.Second,
		"15m":       15 * time.Minute,
		"1h30m":     90 * time.Minute,
		"1.5h":      90 * time.Minute,
		"500ms":     500 * time.Millisecond,
		"7d":        7 * 24 * time.Hour,
		"1d12h":     36 * time.Hour,
		"2w":        14 * 24 * time.Hour,
		"2w3d4h5m":  (17*24+4)*time.Hour + 5*time.Minute,
		"1.5d":      36 * time.Hour,
		".5d":       12 * time.Hour,
		"+1d":       24 * time.Hour,
		"12h1d":     36 * time.Hour,
		"1us":       time.Microsecond,
		"1µs":       time.Microsecond,
		"15250w":    15250 * 7 * 24 * time.Hour,
		"106751d":   106751 * 24 * time.Hour,
		"0.000001s": time.Microsecond,
	}
	for in, want := range cases {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestParseDurationRejects(t *testing.T) {
	for _, in := range []string{
		"", "-2h", "-0", "d", "1", "1x", "1D", "1 d", "1d 2h", ".d", "1..5h", "7days",
		"106752d", "15251w", "9223372036854775808ns", "99999999999999999999s", "NaNh", "Infd",
	} {
		if got, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, got)
		}
	}
}

// Every duration Go accepts that is not negative is read the same here.
func TestParseDurationAgreesWithGo(t *testing.T) {
	for _, in := range []string{"1h2m3.5s", "2562047h", "9223372036854775807ns", "1.000000001s", "0.1ns", "3m0.5s"} {
		want, err := time.ParseDuration(in)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; Go says %v", in, got, err, want)
		}
	}
}

func TestTimeAcceptsEveryForm(t *testing.T) {
	ms := testNow.Truncate(time.Millisecond)
	cases := map[string]time.Time{
		"90s":                       ms.Add(-90 * time.Second),
		"1d12h":                     ms.Add(-36 * time.Hour),
		"7d":                        ms.Add(-7 * 24 * time.Hour),
		" 2h ":                      ms.Add(-2 * time.Hour),
		"now":                       ms,
		"0":                         ms,
		"2026-11-29":                time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC),
		"2026-11-29T10:00:00Z":      time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC),
		"2026-11-29T10:00:00+02:00": time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC),
		"2026-11-29T10:00:00.1239Z": time.Date(2026, 11, 29, 10, 0, 0, 123e6, time.UTC),
		"2026-11-29T10:00:00":       time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC),
	}
	for in, want := range cases {
		got, err := Time("since", in, testNow)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Time(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestTimeErrorTextIsTheSameForEveryFlag(t *testing.T) {
	for _, flag := range []string{"since", "until", "older-than"} {
		for _, in := range []string{"yesterday", "-2h", "2026-13-01", "2026-11-29T10:00", "1 d", ""} {
			_, err := Time(flag, in, testNow)
			want := `invalid value "` + in + `" for --` + flag +
				`: want a duration (90s, 15m, 1d12h), an RFC 3339 time or a date (2026-11-29)`
			if err == nil || err.Error() != want {
				t.Errorf("Time(%q, %q) error = %v; want %q", flag, in, err, want)
			}
			if fault.KindOf(err) != fault.Invalid {
				t.Errorf("Time(%q, %q): exit code %d, want 2", flag, in, fault.KindOf(err))
			}
		}
	}
}

func TestOptionalTimeLeavesEmptyUnset(t *testing.T) {
	for _, in := range []string{"", "  "} {
		if got, err := OptionalTime("until", in, testNow); got != nil || err != nil {
			t.Errorf("OptionalTime(%q) = %v, %v; want nil, nil", in, got, err)
		}
	}
	got, err := OptionalTime("until", "1d", testNow)
	if err != nil || !got.Equal(testNow.Truncate(time.Millisecond).Add(-24*time.Hour)) {
		t.Errorf("OptionalTime(1d) = %v, %v", got, err)
	}
}

func TestAgeTakesDurationsAndPastTimes(t *testing.T) {
	cases := map[string]time.Duration{
		"7d":                   7 * 24 * time.Hour,
		"36h":                  36 * time.Hour,
		"1d12h":                36 * time.Hour,
		"2026-11-29":           testNow.Sub(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)).Truncate(time.Millisecond),
		"2026-11-30T08:15:00Z": 30*time.Second + 123*time.Millisecond,
	}
	for in, want := range cases {
		if got, err := Age("older-than", in, testNow); err != nil || got != want {
			t.Errorf("Age(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0s", "0", "now", "2026-12-01", "soon"} {
		if _, err := Age("older-than", in, testNow); fault.KindOf(err) != fault.Invalid ||
			!strings.HasPrefix(err.Error(), `invalid value "`+in+`" for --older-than: `) {
			t.Errorf("Age(%q) error = %v; want a usage error naming the value and flag", in, err)
		}
	}
}

func TestInvalidIsAUsageError(t *testing.T) {
	if err := Invalid("x", "y", "z"); fault.KindOf(err) != fault.Invalid {
		t.Errorf("Invalid = %#v", err)
	}
}
