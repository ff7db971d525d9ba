package replay

import (
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/testenv"
)

// A run that begins clears the end offsets an earlier run recorded: if
// this run dies before recording its own, verify must read to the current
// end, not stop where the earlier run ended.
func TestBeginClearsAnEarlierRunsEndOffsets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(80, "notification_sent")
	a := e.service("runner-a")
	sess := e.createStarted(a, Spec{Rate: 40})
	ra := startRun(t, a, sess.SessionID, RunOptions{})
	testenv.Eventually(t, 30*time.Second, func() bool { return ra.replayed.Load() >= 5 }, "the run to get going")
	if _, err := a.Pause(ctxT(t, 30*time.Second), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	ra.wait(t)
	if p := e.get(sess.SessionID).Replayctl.Provenance; p == nil || p.EndOffsetsAt == nil {
		t.Fatalf("the paused run recorded no end offsets: %+v", p)
	}
	if _, err := a.Resume(ctxT(t, time.Minute), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	rb := startRun(t, a, sess.SessionID, RunOptions{})
	testenv.Eventually(t, 30*time.Second, func() bool { return rb.replayed.Load() >= 5 }, "the second run to get going")
	p := e.get(sess.SessionID).Replayctl.Provenance
	if p == nil || p.StoredBefore == nil {
		t.Fatalf("the second run lost the provenance: %+v", p)
	}
	if p.EndOffsetsAt != nil || len(p.EndOffsets) != 0 {
		t.Errorf("the running session still carries the first run's end offsets (%v)", p.EndOffsetsAt)
	}
	if _, err := a.Cancel(ctxT(t, 30*time.Second), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	rb.wait(t)
}
