package devstack

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
)

// ferretLogger tags FerretDB's records and demotes its wire dumps to Debug.
// FerretDB logs every error reply as two multi-line Warn records, and the
// driver's endSessions on every Disconnect is such an error, so at Warn a dev
// console would fill with them although the client already got the error.
func ferretLogger(l *slog.Logger) *slog.Logger {
	return slog.New(demoteWireDumps{l.Handler()}).With(slog.String("server", "ferretdb"))
}

type demoteWireDumps struct{ next slog.Handler }

func (h demoteWireDumps) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h demoteWireDumps) Handle(ctx context.Context, r slog.Record) error {
	if r.Level > slog.LevelDebug && isWireDump(r.Message) {
		r.Level = slog.LevelDebug
		if !h.next.Enabled(ctx, r.Level) {
			return nil
		}
	}
	return h.next.Handle(ctx, r)
}

func (h demoteWireDumps) WithAttrs(attrs []slog.Attr) slog.Handler {
	return demoteWireDumps{h.next.WithAttrs(attrs)}
}

func (h demoteWireDumps) WithGroup(name string) slog.Handler {
	return demoteWireDumps{h.next.WithGroup(name)}
}

func isWireDump(msg string) bool {
	return strings.HasPrefix(msg, "Response header:") || strings.HasPrefix(msg, "Response message:") ||
		strings.HasPrefix(msg, "Request header:") || strings.HasPrefix(msg, "Request message:")
}

// kfakeLogger forwards kfake's warnings and errors to slog. Info and Debug
// are one line per request, far too loud for a dev console.
type kfakeLogger struct{ l *slog.Logger }

func (k kfakeLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	switch level {
	case kfake.LogLevelError:
		k.l.Error(fmt.Sprintf(format, args...))
	case kfake.LogLevelWarn:
		k.l.Warn(fmt.Sprintf(format, args...))
	}
}
