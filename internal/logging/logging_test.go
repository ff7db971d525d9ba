package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// newLogger is New writing to a buffer the test reads.
func newLogger(t *testing.T, tty bool, level string) (*slog.Logger, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	log, err := New(&buf, tty, level)
	if err != nil {
		t.Fatal(err)
	}
	return log, &buf
}

func TestNewPicksJSONWhenNotATerminal(t *testing.T) {
	log, buf := newLogger(t, false, "info")
	log.Info("session released", "session_id", "abc")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON object per line: %v\n%s", err, buf.String())
	}
	if line["msg"] != "session released" || line["session_id"] != "abc" || line["level"] != "INFO" {
		t.Fatalf("unexpected fields: %v", line)
	}
}

func TestNewPicksTextOnATerminal(t *testing.T) {
	log, buf := newLogger(t, true, "debug")
	log.Debug("polling", "session_id", "abc")
	out := buf.String()
	if strings.HasPrefix(out, "{") || !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "session_id=abc") {
		t.Fatalf("want a text line at debug, got %q", out)
	}
}

func TestNewFiltersBelowLevel(t *testing.T) {
	log, buf := newLogger(t, false, "warn")
	log.Info("hidden")
	log.Warn("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), "shown") {
		t.Fatalf("level filter not applied: %q", buf.String())
	}
}

func TestParseLevel(t *testing.T) {
	cases := map[string]slog.Level{
		"": slog.LevelInfo, "debug": slog.LevelDebug, "INFO": slog.LevelInfo,
		"warn": slog.LevelWarn, "Warning": slog.LevelWarn, " error ": slog.LevelError,
	}
	for in, want := range cases {
		got, err := ParseLevel(in)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	_, err := ParseLevel("verbose")
	if err == nil || !strings.Contains(err.Error(), `"verbose"`) || !strings.Contains(err.Error(), "debug, info, warn, error") {
		t.Fatalf("want an error naming the value and the choices, got %v", err)
	}
	if _, err := New(&bytes.Buffer{}, false, "loud"); err == nil {
		t.Fatal("New accepted an unknown level")
	}
}
