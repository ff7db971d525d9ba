package e2e_test

import (
	"encoding/json"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/integr8scode/replayctl/internal/verify"
)

// testSIGKILLedRunVerifies: a foreground `replay start` is killed with
// SIGKILL between checkpoints and `replay resume` finishes the session
// after the dead runner's claim expired. `replay verify` then finds nothing
// missing, reports exactly the duplicates a raw consumer of the topic
// counts, and every one of them lies in the window the resuming runner
// recorded as possible duplicates.
func testSIGKILLedRunVerifies(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	const n = 400
	ids := testenv.SeedEvents(t, p.st.Events.Collection(), "user_login", n)
	id := p.createSession("--type", "user_login", "--rate", "80") // about 5s

	first := p.startBackground("replay", "start", id)
	testenv.Eventually(t, 60*time.Second, func() bool {
		s := p.session(id)
		return s.Status == contract.StatusRunning && s.ReplayedEvents > 0 && s.ReplayedEvents < n/2
	}, "session %s running in the foreground and past its first checkpoint", id)
	// Kill between two checkpoints, once the topic holds events sent past the last one.
	testenv.Eventually(t, 30*time.Second, func() bool {
		return testenv.CountRecords(t, p.brokers, p.prefix+"user_login") > p.session(id).ReplayedEvents+20
	}, "events sent past session %s's last checkpoint", id)
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	killed := p.session(id)
	leases := p.runLeases(id)
	if len(leases) != 1 {
		t.Fatalf("want the killed runner's claim alone, got %+v", leases)
	}
	testenv.Eventually(t, 2*time.Minute, func() bool { return time.Now().After(leases[0].ExpiresAt.Add(time.Second)) },
		"the killed runner's claim (until %s) to expire", leases[0].ExpiresAt)
	if r := p.cli("replay", "resume", id); r.code != 0 {
		t.Fatalf("replay resume after SIGKILL: exit %d\nstderr: %s", r.code, r.stderr)
	}
	done := p.session(id)
	if done.Status != contract.StatusCompleted || len(done.Replayctl.DuplicateWindows) == 0 {
		t.Fatalf("session %s is %s with windows %+v; want completed with a recorded window", id, done.Status, done.Replayctl.DuplicateWindows)
	}

	raw := replayedIDs(t, p.brokers, p.prefix+"user_login", id)
	testenv.AssertEachAtLeastOnce(t, "session "+id, ids, raw)
	var rawDups []string
	for ev, c := range raw {
		if c > 1 {
			rawDups = append(rawDups, ev)
		}
	}
	if len(rawDups) == 0 {
		t.Fatalf("the kill at %d replayed left no duplicate records: the test did not exercise a window", killed.ReplayedEvents)
	}

	vr := p.cli("replay", "verify", id, "-o", "json")
	var rep verify.Report
	if err := json.Unmarshal([]byte(vr.stdout), &rep); vr.code != 0 || err != nil {
		t.Fatalf("replay verify: exit %d, %v\nstdout: %s\nstderr: %s", vr.code, err, vr.stdout, vr.stderr)
	}
	if rep.Expected != n || rep.Missing != 0 || rep.Unexpected != 0 || rep.Delivered != n {
		t.Fatalf("verify: expected %d delivered %d missing %d unexpected %d; want %d, %d, 0, 0",
			rep.Expected, rep.Delivered, rep.Missing, rep.Unexpected, n, n)
	}
	var reported []string
	for _, d := range rep.Duplicates {
		reported = append(reported, d.EventID)
		if int64(raw[d.EventID]) != d.Copies {
			t.Errorf("verify counts %d copies of %s, a raw consumer %d", d.Copies, d.EventID, raw[d.EventID])
		}
	}
	sort.Strings(reported)
	sort.Strings(rawDups)
	if rep.Duplicated != int64(len(rawDups)) || !equal(reported, rawDups) {
		t.Errorf("verify reports %d duplicates %v; a raw consumer counts %d: %v", rep.Duplicated, reported, len(rawDups), rawDups)
	}
	if !rep.DuplicatesInWindows || rep.DuplicatesOutsideWindows != 0 {
		t.Errorf("duplicates outside the recorded windows %+v: %v", done.Replayctl.DuplicateWindows, rep.OutsideWindows)
	}
	t.Logf("killed at %d replayed; %d duplicates, all within %d window(s) %+v", killed.ReplayedEvents, len(rawDups),
		rep.Windows, done.Replayctl.DuplicateWindows)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
