// Package logging builds the structured logger of long-running replayctl
// processes (the worker): JSON lines for log collectors when stderr is not a
// terminal, readable text for an operator watching a terminal.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Levels lists the accepted --log-level values.
var Levels = []string{"debug", "info", "warn", "error"}

// ParseLevel turns a level name (any case; "warning" is accepted for warn)
// into a slog level. An empty name means info.
func ParseLevel(name string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q (want one of %s)", name, strings.Join(Levels, ", "))
}

// New returns a logger writing to w at the given level: a text handler when
// w is a terminal (isTTY), a JSON handler otherwise, so journald, Kubernetes
// and log shippers get one parseable object per line.
func New(w io.Writer, isTTY bool, level string) (*slog.Logger, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if isTTY {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}
