package replay

import (
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// A paced replay outlives its cursor on MongoDB (10 idle minutes); the
// server then answers the next getMore with CursorNotFound. Killing the
// cursor mid-run is the same fault, injected: the run reopens from the last
// event read and every event arrives exactly once.
func TestKilledEventCursorIsReopenedWithoutGapsOrDuplicates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(100, "pod_running")
	svc := e.service("runner-a")
	svc.cursorBatch = 10 // several getMores
	cursors := make(chan int64, 16)
	svc.onCursor = func(id int64) { cursors <- id }
	sess := e.createStarted(svc, Spec{Rate: 50})

	var replayed atomic.Int64
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := svc.Run(ctxT(t, 2*time.Minute), sess.SessionID, RunOptions{
			Progress: func(p Progress) { replayed.Store(p.Replayed) },
		})
		done <- outcome{res, err}
	}()

	var first int64
	select {
	case first = <-cursors:
	case <-time.After(time.Minute):
		t.Fatal("the run opened no event cursor")
	}
	testenv.Eventually(t, time.Minute, func() bool { return replayed.Load() >= 20 }, "20 events replayed")
	killCursor(t, e.st, first)

	out := <-done
	if out.err != nil {
		t.Fatalf("Run: %v", out.err)
	}
	s := out.res.Session
	if s.Status != contract.StatusCompleted || s.ReplayedEvents != 100 || s.FailedEvents != 0 {
		msg := ""
		if s.Error != nil {
			msg = *s.Error
		}
		t.Fatalf("status %s replayed %d failed %d error %q, want completed 100/0", s.Status, s.ReplayedEvents, s.FailedEvents, msg)
	}
	if len(cursors) == 0 {
		t.Fatal("the cursor was never reopened: the kill did not reach the run's cursor")
	}
	testenv.AssertEachOnce(t, "pod_running", idsOf(events), eventIDs(t, consume(t, 100, e.topics("pod_running")...)))
}

// killCursor kills one cursor on the events collection as an operator (or
// the server's idle timeout) would.
func killCursor(t *testing.T, st *store.Store, id int64) {
	t.Helper()
	c := st.Events.Collection()
	var res struct {
		Killed   []int64 `bson:"cursorsKilled"`
		NotFound []int64 `bson:"cursorsNotFound"`
	}
	cmd := bson.D{{Key: "killCursors", Value: c.Name()}, {Key: "cursors", Value: bson.A{id}}}
	if err := c.Database().RunCommand(ctxT(t, time.Minute), cmd).Decode(&res); err != nil {
		t.Fatalf("killCursors: %v", err)
	}
	if len(res.Killed) != 1 {
		t.Fatalf("killCursors %d: killed %v, not found %v", id, res.Killed, res.NotFound)
	}
}
