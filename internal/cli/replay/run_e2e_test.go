package replaycmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// progressTimeout bounds waiting for a runner's first checkpoint.
const progressTimeout = 60 * time.Second

// startInBackground runs `replay args...` in a goroutine with its own
// cancellable context, as if in another shell.
func (e *testEnv) startInBackground(args ...string) (cancel func(), done <-chan clitest.Result) {
	ctx, cancelFn := context.WithTimeout(context.Background(), cmdTimeout)
	ch := make(chan clitest.Result, 1)
	go func() { ch <- e.runCtx(ctx, args...) }()
	e.t.Cleanup(cancelFn)
	return cancelFn, ch
}

// waitReplayed waits until the session has checkpointed some progress.
func (e *testEnv) waitReplayed(id string) {
	e.t.Helper()
	testenv.Eventually(e.t, progressTimeout, func() bool {
		s := e.session(id)
		return s.Status == contract.StatusRunning && s.ReplayedEvents > 0
	}, "session %s to checkpoint progress", id)
}

func await(t *testing.T, done <-chan clitest.Result) clitest.Result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(cmdTimeout):
		t.Fatal("command did not return")
		return clitest.Result{}
	}
}

// slowFileSession seeds count events of typ and creates a session that
// replays them to a new file at 10 events/s, slow enough to interrupt.
func (e *testEnv) slowFileSession(typ string, count int) (id, out string, n int) {
	e.t.Helper()
	n = e.seedEvents(count, typ)[typ]
	out = filepath.Join(e.t.TempDir(), typ+".jsonl")
	id = firstLine(e.run("create", "--type", typ, "--target", "file", "--out", out, "--rate", "10").Want(e.t, 0).Stdout)
	return id, out, n
}

func lineCount(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

// Ctrl-C pauses a foreground run at its checkpoint and exits 130; resume
// finishes it, and the file holds every event exactly once.
func TestStartInterruptThenResume(t *testing.T) {
	e := newTestEnv(t)
	id, out, n := e.slowFileSession("script_saved", 40)

	cancel, done := e.startInBackground("start", id)
	e.waitReplayed(id)
	cancel()
	r := await(t, done).Want(t, exitcode.Interrupted)
	if !strings.Contains(r.Stderr, "Paused session "+id+" at event ") || !strings.Contains(r.Stderr, "replayctl replay resume "+id) {
		t.Errorf("interrupt stderr:\n%s", r.Stderr)
	}
	s := e.session(id)
	if s.Status != contract.StatusPaused || s.ReplayedEvents == 0 || s.ReplayedEvents >= int64(n) {
		t.Fatalf("after Ctrl-C: status %s, replayed %d of %d", s.Status, s.ReplayedEvents, n)
	}

	e.run("resume", id[:8]).Want(t, 0)
	if s := e.session(id); s.Status != contract.StatusCompleted || s.ReplayedEvents != int64(n) {
		t.Errorf("after resume: %s, %d replayed", s.Status, s.ReplayedEvents)
	}
	if got := lineCount(t, out); got != n {
		t.Errorf("file has %d events, want %d", got, n)
	}
}

// pause from another shell stops a foreground run, which reports it and
// exits 0; watch then follows a takeover by resume to the end.
func TestPauseFromAnotherShellAndWatch(t *testing.T) {
	e := newTestEnv(t)
	id, out, n := e.slowFileSession("notification_sent", 30)

	_, done := e.startInBackground("start", id)
	e.waitReplayed(id)
	p := e.run("pause", id).Want(t, 0)
	if !strings.Contains(p.Stdout, "Paused session "+id) {
		t.Errorf("pause stdout:\n%s", p.Stdout)
	}
	fg := await(t, done).Want(t, 0)
	if !strings.Contains(fg.Stdout, "was paused at event") {
		t.Errorf("paused foreground run:\n%s\n%s", fg.Stdout, fg.Stderr)
	}

	_, watching := e.startInBackground("watch", id, "--interval", "200ms")
	e.run("resume", id).Want(t, 0)
	w := await(t, watching).Want(t, 0)
	if !strings.Contains(w.Stdout, "✓ Session "+id+" completed") {
		t.Errorf("watch:\nstdout:\n%s\nstderr:\n%s", w.Stdout, w.Stderr)
	}
	if got := lineCount(t, out); got != n {
		t.Errorf("file has %d events, want %d", got, n)
	}
}
