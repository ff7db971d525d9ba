package e2e_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// testSIGINTPausesReplayStart: a real SIGINT to `replay start` running a
// session in the foreground pauses the session and exits 130; `replay
// resume` then completes it, and the topic read to its end holds every
// event, exactly once unless the pause recorded events still in flight.
func testSIGINTPausesReplayStart(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	const n = 150
	ids := testenv.SeedEvents(t, p.st.Events.Collection(), "script_saved", n)
	id := p.createSession("--type", "script_saved", "--rate", "50") // about 3s

	start := p.startBackground("replay", "start", id)
	testenv.Eventually(t, 60*time.Second, func() bool {
		s := p.session(id)
		return s.Status == contract.StatusRunning && s.ReplayedEvents > 0 && s.ReplayedEvents < n
	}, "session %s running in the foreground and past its first checkpoint", id)

	if err := start.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-start.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("replay start still running 30s after SIGINT\nstderr: %s", start.stderr.String())
	}
	if code := start.cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("replay start exited %d after SIGINT, want 130\nstderr: %s", code, start.stderr.String())
	}
	paused := p.session(id)
	if paused.Status != contract.StatusPaused || paused.ReplayedEvents >= n {
		t.Fatalf("after SIGINT session %s is %s with %d of %d replayed; want paused part-way", id, paused.Status, paused.ReplayedEvents, n)
	}
	if !strings.Contains(start.stderr.String(), "replayctl replay resume "+id) {
		t.Errorf("stderr does not say how to resume:\n%s", start.stderr.String())
	}

	if r := p.cli("replay", "resume", id); r.code != 0 {
		t.Fatalf("replay resume: exit %d\nstderr: %s", r.code, r.stderr)
	}
	s := p.session(id)
	if s.Status != contract.StatusCompleted || s.ReplayedEvents != n || s.FailedEvents != 0 {
		t.Fatalf("after resume session %s is %s with %d replayed, %d failed; want completed with %d and 0",
			id, s.Status, s.ReplayedEvents, s.FailedEvents, n)
	}
	got := replayedIDs(t, p.brokers, p.prefix+"script_saved", id)
	// The pause let what was in flight land before its checkpoint; only
	// events still unacknowledged after the 0.5s grace may go twice, and
	// then the resumed run counts them as possible duplicates.
	if s.Replayctl == nil || s.Replayctl.PossibleDuplicates == 0 {
		testenv.AssertEachOnce(t, "session "+id, ids, got)
	} else {
		t.Logf("the pause left %d events unacknowledged", s.Replayctl.PossibleDuplicates)
		checkDuplicatesDeclared(t, s, testenv.AssertEachAtLeastOnce(t, "session "+id, ids, got))
	}
	t.Logf("paused at %d of %d events", paused.ReplayedEvents, n)
}
