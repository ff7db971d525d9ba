package devstack_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/integr8scode/replayctl/internal/devstack"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Server logs reach the caller's logger, tagged by server, but FerretDB's
// per-reply wire dumps (one pair per client Disconnect) stay below Warn.
func TestServerLogsGoToLoggerWithoutWireDumps(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
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
