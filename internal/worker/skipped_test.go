package worker

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// The DLQ processor's reads meet the same unreadable documents on every
// poll; the worker warns about and counts each once.
func TestDLQSkippedDocumentsAreReportedOnce(t *testing.T) {
	m := NewMetrics()
	logs := &testenv.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	a := store.Skipped{ID: "a1", Collection: "dlq_messages", Err: errors.New("bad retry_count")}
	b := store.Skipped{ID: "b2", Collection: "dlq_messages", Err: errors.New("bad event")}
	for range 3 {
		m.DLQ().DocumentsSkipped(log, []store.Skipped{a})
	}
	m.DLQ().DocumentsSkipped(log, []store.Skipped{a, b})
	if v, _ := value(t, m.Registry(), "replayctl_documents_skipped_total", map[string]string{"collection": "dlq_messages"}); v != 2 {
		t.Errorf("counter = %v, want 2", v)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 2 {
		t.Errorf("%d warnings, want 2:\n%s", n, logs)
	}
}

// The memory of reported documents is capped; past the cap the oldest are
// forgotten (and would be reported again).
func TestSkipLogIsBounded(t *testing.T) {
	l := newSkipLog()
	for i := range maxRememberedSkips + 10 {
		if !l.first(fmt.Sprint(i)) {
			t.Fatalf("%d reported as seen", i)
		}
	}
	if len(l.seen) != maxRememberedSkips || len(l.order) != maxRememberedSkips {
		t.Fatalf("remembers %d (%d in order), want %d", len(l.seen), len(l.order), maxRememberedSkips)
	}
	if !l.first("0") || l.first(fmt.Sprint(maxRememberedSkips+9)) {
		t.Error("the oldest should be forgotten and the newest remembered")
	}
}
