package replaycmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/config"
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
	r := e.run("create", "--type", "script_shared", "--target", "file", "--out", out, "--start", "--debug").Want(t, 0)
	id := sessionIDIn(t, r.Stderr)
	if !strings.Contains(r.Stdout, "✓ Session "+id+" completed: 12 replayed") || lineCount(t, out) != n {
		t.Errorf("create --start:\nstdout:\n%s\nstderr:\n%s", r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "session_id="+id) {
		t.Errorf("--debug logged nothing about the session:\n%s", r.Stderr)
	}

	e.Term.TTY = true
	plain := e.run("create", "--type", "script_shared").Want(t, 0)
	e.Term.TTY = false
	if strings.Count(plain.Stdout, "\n") != 1 || !strings.Contains(plain.Stderr, "Start it with: replayctl replay start "+firstLine(plain.Stdout)) {
		t.Errorf("create on a terminal:\nstdout:\n%s\nstderr:\n%s", plain.Stdout, plain.Stderr)
	}

	var s contract.Session
	decode(t, e.json("create", "--type", "script_shared", "--start", "--detach", "--dry-run").Want(t, 0).Stdout, &s)
	if s.Status != contract.StatusRunning || e.session(s.SessionID).Status != contract.StatusRunning {
		t.Errorf("create --start --detach left status %s", s.Status)
	}
}

// Machine output and events cannot share stdout; refused before writing.
func TestStdoutConflictRefusedBeforeWriting(t *testing.T) {
	e := newTestEnv(t)
	r := e.json("run", "--target", "file", "--out", "-").Want(t, exitcode.Usage)
	if !strings.Contains(r.Stderr, "--out") {
		t.Errorf("stderr:\n%s", r.Stderr)
	}
	e.json("create", "--target", "file", "--out", "-", "--start").Want(t, exitcode.Usage)
	if n := e.sessionCount(); n != 0 {
		t.Errorf("%d sessions written by refused commands", n)
	}
	id := firstLine(e.run("create", "--target", "file", "--out", "-").Want(t, 0).Stdout)
	e.json("start", id).Want(t, exitcode.Usage)
	if s := e.session(id); s.Status != contract.StatusCreated {
		t.Errorf("refused start changed the status to %s", s.Status)
	}
}

// An unreachable Kafka fails run with exit 5 before a session is written.
func TestRunKafkaUnreachable(t *testing.T) {
	e := newTestEnv(t)
	e.Vars[config.EnvKafkaBrokers] = "127.0.0.1:1"
	e.Vars[config.EnvTimeout] = "2s"
	r := e.run("run", "--type", "pod_created").Want(t, exitcode.Unavailable)
	if !strings.Contains(r.Stderr, "127.0.0.1:1") {
		t.Errorf("stderr:\n%s", r.Stderr)
	}
	if n := e.sessionCount(); n != 0 {
		t.Errorf("%d sessions written with Kafka down", n)
	}
	// A preview still shows what MongoDB knows.
	e.seedEvents(4, "pod_created")
	pv := e.run("preview", "--type", "pod_created").Want(t, 0)
	if !strings.Contains(pv.Stderr, "Warning: topics not checked") || !strings.Contains(pv.Stdout, "Matching events:     4") {
		t.Errorf("preview with Kafka down:\nstdout:\n%s\nstderr:\n%s", pv.Stdout, pv.Stderr)
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
	ios, _, _ := clitest.Term{}.Streams()
	f := e.NewFactory(ios)
	defer f.Close()
	cmd := NewCmdShow(f, nil)
	got, _ := completeSessionIDs(f)(cmd, nil, "e11")
	if len(got) != 1 || !strings.HasPrefix(string(got[0]), "e1110000-0000-4000-8000-000000000001\tpaused, event_type") {
		t.Errorf("completions = %q", got)
	}
	if got, _ := completeSessionIDs(f)(cmd, []string{"x"}, ""); len(got) != 0 {
		t.Errorf("second argument completed: %q", got)
	}
}
