package flagvalue

import (
	"errors"
	"time"
)

var errDuration = errors.New("invalid duration")

// durationUnits are Go's units plus days and weeks: operators think of
// look-back windows and retention in days.
var durationUnits = map[string]uint64{
	"ns": uint64(time.Nanosecond),
	"us": uint64(time.Microsecond),
	"µs": uint64(time.Microsecond), // U+00B5 micro sign
	"μs": uint64(time.Microsecond), // U+03BC Greek mu
	"ms": uint64(time.Millisecond),
	"s":  uint64(time.Second),
	"m":  uint64(time.Minute),
	"h":  uint64(time.Hour),
	"d":  uint64(24 * time.Hour),
	"w":  uint64(7 * 24 * time.Hour),
}

// ParseDuration reads a non-negative duration: everything time.ParseDuration
// accepts that is not negative, with the same value, plus the units d (24h)
// and w (7d) anywhere in a compound ("1d12h", "2w3d", "1.5d"). It follows
// the standard library's algorithm so that values Go accepts are read
// exactly as Go reads them; only the unit table is longer. A sign other
// than "+" is refused: a negative look-back is always a mistake.
func ParseDuration(s string) (time.Duration, error) {
	s, _ = cutPlus(s)
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, errDuration
	}
	var total uint64
	for s != "" {
		var v uint64
		var err error
		v, s, err = durationTerm(s)
		if err != nil {
			return 0, err
		}
		total += v
		if total > 1<<63-1 {
			return 0, errDuration
		}
	}
	return time.Duration(total), nil
}

func cutPlus(s string) (string, bool) {
	if s != "" && s[0] == '+' {
		return s[1:], true
	}
	return s, false
}

// durationTerm reads one <number><unit> term and returns its value in
// nanoseconds and the rest of s.
func durationTerm(s string) (uint64, string, error) {
	if !(s[0] == '.' || '0' <= s[0] && s[0] <= '9') {
		return 0, s, errDuration
	}
	pl := len(s)
	v, s, err := leadingInt(s)
	if err != nil {
		return 0, s, errDuration
	}
	pre := pl != len(s)
	var f uint64
	scale := 1.0
	post := false
	if s != "" && s[0] == '.' {
		s = s[1:]
		pl := len(s)
		f, scale, s = leadingFraction(s)
		post = pl != len(s)
	}
	if !pre && !post {
		return 0, s, errDuration
	}
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c == '.' || '0' <= c && c <= '9' {
			break
		}
	}
	unit, ok := durationUnits[s[:i]]
	if !ok {
		return 0, s, errDuration
	}
	s = s[i:]
	if v > 1<<63/unit {
		return 0, s, errDuration
	}
	v *= unit
	if f > 0 {
		// float64 keeps nanosecond accuracy here: f*unit/scale is at most
		// a week in nanoseconds, 6.048e14, below 2^53.
		v += uint64(float64(f) * (float64(unit) / scale))
		if v > 1<<63 {
			return 0, s, errDuration
		}
	}
	return v, s, nil
}

func leadingInt(s string) (uint64, string, error) {
	var x uint64
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			break
		}
		if x > 1<<63/10 {
			return 0, s, errDuration
		}
		x = x*10 + uint64(c) - '0'
		if x > 1<<63 {
			return 0, s, errDuration
		}
	}
	return x, s[i:], nil
}

// leadingFraction reads the digits after a decimal point; past uint64's
// precision it stops accumulating rather than failing, as Go does.
func leadingFraction(s string) (x uint64, scale float64, rem string) {
	i := 0
	scale = 1
	overflow := false
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			break
		}
		if overflow {
			continue
		}
		if x > (1<<63-1)/10 {
			overflow = true
			continue
		}
		y := x*10 + uint64(c) - '0'
		if y > 1<<63 {
			overflow = true
			continue
		}
		x = y
		scale *= 10
	}
	return x, scale, s[i:]
}
