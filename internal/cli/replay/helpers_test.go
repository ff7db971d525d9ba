package replaycmd

import (
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	good := map[string]time.Duration{"90m": 90 * time.Minute, "24h": 24 * time.Hour, "7d": 168 * time.Hour, "1w": 168 * time.Hour, " 2d ": 48 * time.Hour}
	for in, want := range good {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0s", "-2d", "seven days", "7y", "w"} {
		if _, err := parseAge(in); err == nil {
			t.Errorf("parseAge(%q) accepted", in)
		}
	}
}

func TestCreatedBy(t *testing.T) {
	env := map[string]string{"LOGNAME": "ops"}
	if got := createdBy(func(k string) string { return env[k] }); got != "replayctl:ops" {
		t.Errorf("got %q", got)
	}
}
