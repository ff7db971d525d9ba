package e2e_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// testInvalidSettings: bad values exit 2 with a one-line reason, before
// anything connects (the addresses below point nowhere).
func testInvalidSettings(t *testing.T, bin string) {
	p := newPlatform(t, bin, []string{"127.0.0.1:1"})
	p.mongoURI = "mongodb://127.0.0.1:1"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"worker", "--concurrency", "0"}, "concurrency"},
		{[]string{"worker", "--replay=false", "--dlq=false", "--jobs=false"}, "nothing to do"},
		{[]string{"worker", "--log-level", "loud"}, "log-level"},
		{[]string{"worker", "--http-addr", "nowhere"}, "http-addr"},
	} {
		r := p.cli(c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 mentioning %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// testTwoWorkersShareSessions: three detached sessions all complete, each
// run by exactly one worker, every event delivered exactly once; both
// workers' /metrics add up to the session documents.
func testTwoWorkersShareSessions(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	types := []string{"user_login", "script_saved", "notification_sent"}
	ids := map[string][]string{}
	for _, typ := range types {
		ids[typ] = testenv.SeedEvents(t, p.st.Events.Collection(), typ, 60)
	}
	// One session at a time each, paced to last a moment, so both workers
	// must take part.
	a := p.startWorker("a", "--concurrency", "1")
	b := p.startWorker("b", "--concurrency", "1")
	sessions := map[string]string{} // session id -> type
	for _, typ := range types {
		sessions[p.startDetached("--type", typ, "--rate", "100")] = typ
	}

	owners := map[string]bool{}
	for id, typ := range sessions {
		s := p.waitStatus(id, contract.StatusCompleted, 90*time.Second)
		if s.ReplayedEvents != 60 || s.FailedEvents != 0 {
			t.Errorf("session %s: replayed %d failed %d, want 60 and 0", id, s.ReplayedEvents, s.FailedEvents)
		}
		leases := p.runLeases(id)
		if len(leases) != 1 || (leases[0].Owner != a.identity() && leases[0].Owner != b.identity()) {
			t.Errorf("session %s: run claims %+v, want exactly one, by worker a or b", id, leases)
		} else {
			owners[leases[0].Owner] = true
		}
		if s.Replayctl == nil || s.Replayctl.Runs != 1 || s.Replayctl.PossibleDuplicates != 0 {
			t.Errorf("session %s: bookkeeping %+v, want one run and no possible duplicates", id, s.Replayctl)
		}
		testenv.AssertEachOnce(t, "session "+id, ids[typ], replayedIDs(t, p.brokers, p.prefix+typ, id))
	}
	if len(owners) != 2 {
		t.Errorf("sessions were run by %d worker(s), want both to share the work", len(owners))
	}

	// The counters are flushed a few times a second: wait for the last flush.
	for id := range sessions {
		testenv.Eventually(t, 10*time.Second, func() bool {
			n := 0.0
			for _, w := range []*workerProc{a, b} {
				n += sum(w.metrics(), "replayctl_replay_events_total", map[string]string{"session_id": id, "result": "replayed"})
			}
			return n == float64(p.session(id).ReplayedEvents)
		}, "replayed counters of session %s add up to replayed_events", id)
	}
	testenv.Eventually(t, 15*time.Second, func() bool {
		return sum(a.metrics(), "replayctl_replay_sessions", map[string]string{"status": "completed"}) == 3
	}, "replayctl_replay_sessions{status=completed} = 3")
	for _, w := range []*workerProc{a, b} {
		if code, body := w.get("/readyz"); code != http.StatusOK {
			t.Errorf("worker %s /readyz = %d %s", w.name, code, body)
		}
		if code, _ := w.get("/healthz"); code != http.StatusOK {
			t.Errorf("worker %s /healthz = %d", w.name, code)
		}
		if code, took := w.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
			t.Errorf("worker %s exited %d after SIGTERM (%s)", w.name, code, took)
		}
	}
}

// testSIGTERMHandsSessionOver: a worker stopped in the middle of a session
// exits 0 within its shutdown timeout, and the other worker finishes the
// session with every event delivered exactly once.
func testSIGTERMHandsSessionOver(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	const n = 300
	ids := testenv.SeedEvents(t, p.st.Events.Collection(), "execution_requested", n)
	a := p.startWorker("a")
	id := p.startDetached("--type", "execution_requested", "--rate", "50") // about 6s
	testenv.Eventually(t, 60*time.Second, func() bool {
		l := p.runLeases(id)
		return len(l) == 1 && l[0].Owner == a.identity() && p.session(id).ReplayedEvents >= 50
	}, "worker a running session %s and past its first checkpoint", id)
	b := p.startWorker("b")

	code, took := a.stop(syscall.SIGTERM, 25*time.Second)
	if code != 0 || took > 20*time.Second {
		t.Fatalf("worker a: exit %d after %s; want 0 within the 20s shutdown timeout", code, took)
	}
	if !strings.Contains(a.log(), `"outcome":"released"`) {
		t.Errorf("worker a did not release the session on SIGTERM")
	}
	mid := p.session(id)
	if mid.Status != contract.StatusRunning && mid.Status != contract.StatusCompleted {
		t.Fatalf("session %s is %s after worker a stopped; want it still running (or done by b)", id, mid.Status)
	}

	s := p.waitStatus(id, contract.StatusCompleted, 60*time.Second)
	leases := p.runLeases(id)
	if len(leases) != 2 || leases[0].Owner != a.identity() || leases[1].Owner != b.identity() || !leases[0].Released {
		t.Errorf("run claims %+v; want a's (released) then b's", leases)
	}
	if s.FailedEvents != 0 || s.ReplayedEvents != n || s.Replayctl == nil || s.Replayctl.Runs != 2 {
		t.Fatalf("session %s: replayed %d, failed %d, bookkeeping %+v; want %d, 0 and 2 runs", id, s.ReplayedEvents, s.FailedEvents, s.Replayctl, n)
	}
	got := replayedIDs(t, p.brokers, p.prefix+"execution_requested", id)
	// A clean release lets what is in flight land (for up to 0.5s) before
	// its final checkpoint, so the taker starts right after the last event
	// sent: exactly once, nothing counted as a possible duplicate. Only
	// events still unacknowledged when the grace ran out may go twice, and
	// the release records them.
	if unacked := releasedUnacknowledged(t, a); unacked == 0 {
		testenv.AssertEachOnce(t, "session "+id, ids, got)
		if s.Replayctl.PossibleDuplicates != 0 {
			t.Errorf("session %s: %d possible duplicates after a release with nothing in flight", id, s.Replayctl.PossibleDuplicates)
		}
	} else {
		t.Logf("worker a released with %d events unacknowledged", unacked)
		checkDuplicatesDeclared(t, s, testenv.AssertEachAtLeastOnce(t, "session "+id, ids, got))
	}
	if code, _ := b.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Errorf("worker b exited %d", code)
	}
}

// releasedUnacknowledged reads, from a worker's log, how many events were
// still unacknowledged when it released its session.
func releasedUnacknowledged(t *testing.T, w *workerProc) int {
	t.Helper()
	for _, line := range strings.Split(w.log(), "\n") {
		var rec struct {
			Msg     string `json:"msg"`
			Outcome string `json:"outcome"`
			Unacked *int   `json:"unacknowledged"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "run ended" && rec.Outcome == "released" && rec.Unacked != nil {
			return *rec.Unacked
		}
	}
	t.Fatalf("worker %s logged no released run with its unacknowledged count", w.name)
	return 0
}
