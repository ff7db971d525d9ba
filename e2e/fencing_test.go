package e2e_test

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// testSIGSTOPRunnerLosesToTaker: a foreground `replay start` is frozen
// (SIGSTOP) until its claim expires; `replay resume` takes the session over
// and completes it. Thawed (SIGCONT), the first process must find that its
// claim was taken, stop without writing the session, and exit 4; the
// session keeps the second runner's final state to the byte.
//
// This does not test the epoch in the write filter: the session is already
// completed when the first runner thaws, so its status alone would refuse
// a stale write, and a thawed runner checks its own clock before writing
// (only a write already on the wire at SIGSTOP would skip that check, and
// the test cannot time one). It tests that the thawed runner exits 4
// without writing. replay's TestStaleRunnerCannotOverwriteTheNextRunnersSession
// is the discriminating test: it releases a stale final write while the
// next runner still holds the running session.
func testSIGSTOPRunnerLosesToTaker(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	const n = 200
	ids := testenv.SeedEvents(t, p.st.Events.Collection(), "user_login", n)
	id := p.createSession("--type", "user_login", "--rate", "40") // about 5s

	first := p.startBackground("replay", "start", id)
	testenv.Eventually(t, 60*time.Second, func() bool {
		s := p.session(id)
		return s.Status == contract.StatusRunning && s.ReplayedEvents > 0 && s.ReplayedEvents < n
	}, "session %s running in the foreground and past its first checkpoint", id)

	if err := first.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozen := p.session(id)
	leases := p.runLeases(id)
	if len(leases) != 1 {
		t.Fatalf("want the first runner's claim alone, got %+v", leases)
	}
	testenv.Eventually(t, 2*time.Minute, func() bool { return time.Now().After(leases[0].ExpiresAt.Add(time.Second)) },
		"the frozen runner's claim (until %s) to expire", leases[0].ExpiresAt)

	if r := p.cli("replay", "resume", id); r.code != 0 {
		t.Fatalf("replay resume after the first runner's claim expired: exit %d\nstderr: %s", r.code, r.stderr)
	}
	done := p.session(id)
	if done.Status != contract.StatusCompleted || done.ReplayedEvents != n {
		t.Fatalf("after resume session %s is %s with %d replayed; want completed with %d", id, done.Status, done.ReplayedEvents, n)
	}
	before := p.rawSession(id)

	if err := first.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("the thawed runner still runs 30s after SIGCONT\nstderr: %s", first.stderr.String())
	}
	if code := first.cmd.ProcessState.ExitCode(); code != 4 || !strings.Contains(first.stderr.String(), "lost the claim") {
		t.Errorf("thawed runner exited %d, want 4 naming the lost claim\nstderr: %s", code, first.stderr.String())
	}
	if after := p.rawSession(id); !bytes.Equal(after, before) {
		t.Errorf("the thawed runner wrote the session the second runner completed:\nbefore: %s\nafter:  %s", before, after)
	}
	got := replayedIDs(t, p.brokers, p.prefix+"user_login", id)
	checkDuplicatesDeclared(t, done, testenv.AssertEachAtLeastOnce(t, "session "+id, ids, got))
	t.Logf("frozen at %d of %d replayed; the taker finished with epoch %d", frozen.ReplayedEvents, n, done.Replayctl.Epoch)
}

// rawSession is the session document as stored, for byte comparisons.
func (p *platform) rawSession(id string) bson.Raw {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw, err := p.st.Sessions.GetRaw(ctx, id)
	if err != nil {
		p.t.Fatalf("load session %s: %v", id, err)
	}
	return raw
}
