package replaycmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// sessionCount counts stored sessions, to prove a refused command wrote none.
func (e *testEnv) sessionCount() int64 {
	e.t.Helper()
	n, err := e.store.Sessions.Collection().CountDocuments(context.Background(), map[string]any{})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// create --start runs at once (id to stderr, summary to stdout), and
// --start --detach leaves the session running for a worker.
func TestCreateStart(t *testing.T) {
	e := newTestEnv(t)
	n := e.seedEvents(12, "script_shared")["script_shared"]
	out := filepath.Join(t.TempDir(), "s.jsonl")
	r := e.run("create", "--type", "script_shared", "--target", "file", "--out", out, "--start", "--debug").must(t, 0)
	id := sessionIDIn(t, r.err)
	if !strings.Contains(r.out, "✓ Session "+id+" completed: 12 replayed") || lineCount(t, out) != n {
		t.Errorf("create --start:\nstdout:\n%s\nstderr:\n%s", r.out, r.err)
	}
	if !strings.Contains(r.err, "session_id="+id) {
		t.Errorf("--debug logged nothing about the session:\n%s", r.err)
	}

	e.tty = true
	plain := e.run("create", "--type", "script_shared").must(t, 0)
	e.tty = false
	if strings.Count(plain.out, "\n") != 1 || !strings.Contains(plain.err, "Start it with: replayctl replay start "+firstLine(plain.out)) {
		t.Errorf("create on a terminal:\nstdout:\n%s\nstderr:\n%s", plain.out, plain.err)
	}

	var s contract.Session
	decode(t, e.json("create", "--type", "script_shared", "--start", "--detach", "--dry-run").must(t, 0).out, &s)
	if s.Status != contract.StatusRunning || e.session(s.SessionID).Status != contract.StatusRunning {
		t.Errorf("create --start --detach left status %s", s.Status)
	}
}

// Machine output and events cannot share stdout; refused before writing.
func TestStdoutConflictRefusedBeforeWriting(t *testing.T) {
	e := newTestEnv(t)
	r := e.json("run", "--target", "file", "--out", "-").must(t, exitcode.Usage)
	if !strings.Contains(r.err, "--out") {
		t.Errorf("stderr:\n%s", r.err)
	}
	e.json("create", "--target", "file", "--out", "-", "--start").must(t, exitcode.Usage)
	if n := e.sessionCount(); n != 0 {
		t.Errorf("%d sessions written by refused commands", n)
	}
	id := firstLine(e.run("create", "--target", "file", "--out", "-").must(t, 0).out)
	e.json("start", id).must(t, exitcode.Usage)
	if s := e.session(id); s.Status != contract.StatusCreated {
		t.Errorf("refused start changed the status to %s", s.Status)
	}
}

// An unreachable Kafka fails run with exit 5 before a session is written.
func TestRunKafkaUnreachable(t *testing.T) {
	e := newTestEnv(t)
	e.settings.KafkaBrokers = []string{"127.0.0.1:1"}
	e.settings.Timeout = 2 * time.Second
	e.kafka = e.plainKafka()
	r := e.run("run", "--type", "pod_created").must(t, exitcode.Unavailable)
	if !strings.Contains(r.err, "127.0.0.1:1") {
		t.Errorf("stderr:\n%s", r.err)
	}
	if n := e.sessionCount(); n != 0 {
		t.Errorf("%d sessions written with Kafka down", n)
	}
	// A preview still shows what MongoDB knows.
	e.seedEvents(4, "pod_created")
	pv := e.run("preview", "--type", "pod_created").must(t, 0)
	if !strings.Contains(pv.err, "Warning: topics not checked") || !strings.Contains(pv.out, "Matching events:     4") {
		t.Errorf("preview with Kafka down:\nstdout:\n%s\nstderr:\n%s", pv.out, pv.err)
	}
}

// Session ids complete by prefix, described by status.
func TestSessionIDCompletion(t *testing.T) {
	e := newTestEnv(t)
	now := time.Now().UTC()
	e.insertSessions(
		platformSession("e1110000-0000-4000-8000-000000000001", contract.StatusPaused, now),
		platformSession("e2220000-0000-4000-8000-000000000002", contract.StatusCreated, now),
	)
	f, _, _ := e.factory()
	cmd := NewCmdShow(f, nil)
	got, _ := completeSessionIDs(f)(cmd, nil, "e11")
	if len(got) != 1 || !strings.HasPrefix(string(got[0]), "e1110000-0000-4000-8000-000000000001\tpaused, event_type") {
		t.Errorf("completions = %q", got)
	}
	if got, _ := completeSessionIDs(f)(cmd, []string{"x"}, ""); len(got) != 0 {
		t.Errorf("second argument completed: %q", got)
	}
}
