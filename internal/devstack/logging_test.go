package devstack_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// Server logs reach the caller's logger, tagged by server, but FerretDB's
// per-reply wire dumps (one pair per client Disconnect) stay below Warn.
func TestServerLogsGoToLoggerWithoutWireDumps(t *testing.T) {
	t.Parallel()
	var buf testenv.SyncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s := start(t, devstack.Options{MongoAddr: freeAddr, KafkaAddr: freeAddr, DataDir: t.TempDir(), Logger: logger})
	c := connect(t, s)
	if err := c.Ping(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	disconnect(t, c)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "server=ferretdb") {
		t.Errorf("no FerretDB records in the log:\n%s", out)
	}
	if strings.Contains(out, "Response message") {
		t.Errorf("wire dumps logged above Debug:\n%s", out)
	}
}
