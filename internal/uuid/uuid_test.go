package uuid

import (
	"regexp"
	"testing"
)

var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestNewIsVersion4AndRandom: canonical form, version 4, RFC 4122 variant,
// and no two alike.
func TestNewIsVersion4AndRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := New()
		if !v4.MatchString(id) {
			t.Fatalf("%q is not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q twice", id)
		}
		seen[id] = true
	}
}

// TestFormatSetsVersionAndVariant whatever the bytes say.
func TestFormatSetsVersionAndVariant(t *testing.T) {
	var ones [16]byte
	for i := range ones {
		ones[i] = 0xff
	}
	if got, want := Format(ones), "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Fatalf("Format(ff...) = %s, want %s", got, want)
	}
	if got, want := Format([16]byte{}), "00000000-0000-4000-8000-000000000000"; got != want {
		t.Fatalf("Format(00...) = %s, want %s", got, want)
	}
}
