package replay

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// runAsync runs a session in the background and reports how far it got.
type runAsync struct {
	replayed atomic.Int64
	inFlight atomic.Int64
	done     chan struct{}
	res      *Result
	err      error
}

func startRun(t *testing.T, svc *Service, id string, opts RunOptions) *runAsync {
	t.Helper()
	ra := &runAsync{done: make(chan struct{})}
	user := opts.Progress
	opts.Progress = func(p Progress) {
		ra.replayed.Store(p.Replayed)
		ra.inFlight.Store(p.InFlight)
		if user != nil {
			user(p)
		}
	}
	// A test that fails mid-run cancels it: a runner rides out a MongoDB
	// that a failed test left down, and would otherwise never return.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer close(ra.done)
		ra.res, ra.err = svc.Run(ctx, id, opts)
	}()
	t.Cleanup(func() {
		cancel()
		<-ra.done
	})
	return ra
}

func (ra *runAsync) wait(t *testing.T) *Result {
	t.Helper()
	select {
	case <-ra.done:
	case <-time.After(time.Minute):
		t.Fatal("run did not end")
	}
	if ra.err != nil {
		t.Fatalf("Run: %v", ra.err)
	}
	return ra.res
}

func TestPauseFromAnotherProcessStopsRunnerAndResumeContinues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(100, "notification_sent")
	a, b := e.service("runner-a"), e.service("operator-b")
	sess := e.createStarted(a, Spec{Rate: 60})
	ra := startRun(t, a, sess.SessionID, RunOptions{})
	testenv.Eventually(t, 30*time.Second, func() bool { return ra.replayed.Load() >= 20 }, "the run to get going")

	began := time.Now()
	paused, err := b.Pause(ctxT(t, 30*time.Second), sess.SessionID[:8])
	took := time.Since(began)
	if err != nil || paused.Status != contract.StatusPaused {
		t.Fatalf("Pause: %v %+v", err, paused)
	}
	t.Logf("pause from another process took %v", took)
	if took > 2*time.Second {
		t.Errorf("pause took %v, want under 2s", took)
	}
	res := ra.wait(t)
	if res.Outcome != OutcomePaused || res.Session.ReplayedEvents >= 100 || res.Session.ReplayedEvents < 20 {
		t.Fatalf("first run: %s %+v", res.Outcome, res.Session)
	}
	if n, _ := e.st.Requests().Collection().CountDocuments(ctxT(t, time.Minute), bson.D{}); n != 0 {
		t.Errorf("%d requests left behind", n)
	}
	if _, err := b.Resume(ctxT(t, time.Minute), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	b2 := e.service("runner-b")
	res = mustRun(t, b2, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 100 || res.Session.Replayctl.Runs != 2 {
		t.Fatalf("second run: %s %+v", res.Outcome, res.Session)
	}
	// Without a crash every event goes exactly once.
	testenv.AssertEachOnce(t, "notification_sent", idsOf(events), eventIDs(t, consume(t, 100, e.topics("notification_sent")...)))
	if res.Session.Replayctl.PossibleDuplicates != 0 {
		t.Errorf("possible duplicates %d after a clean pause", res.Session.Replayctl.PossibleDuplicates)
	}
}

func TestCancelFromAnotherProcessWhileRunning(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(60, "saga_started")
	a, b := e.service("runner-a"), e.service("operator-b")
	sess := e.createStarted(a, Spec{Rate: 50})
	ra := startRun(t, a, sess.SessionID, RunOptions{})
	testenv.Eventually(t, 30*time.Second, func() bool { return ra.replayed.Load() >= 5 }, "the run to get going")
	got, err := b.Cancel(ctxT(t, 30*time.Second), sess.SessionID)
	if err != nil || got.Status != contract.StatusCancelled || got.CompletedAt == nil {
		t.Fatalf("Cancel: %v %+v", err, got)
	}
	if res := ra.wait(t); res.Outcome != OutcomeCancelled {
		t.Fatalf("outcome %s", res.Outcome)
	}
	_, err = b.Resume(ctxT(t, time.Minute), sess.SessionID)
	if fault.KindOf(err) != fault.Conflict || !strings.Contains(err.Error(), "it is cancelled") {
		t.Fatalf("resume of a cancelled session: %v", err)
	}
}

func TestInvalidTransitionsExit4NamingTheStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(3, "pod_created")
	svc := e.service("op")
	ctx := ctxT(t, time.Minute)
	created, err := svc.Create(ctx, Spec{}, "")
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, err error, want string) {
		t.Helper()
		if fault.KindOf(err) != fault.Conflict || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v (kind %v), want a conflict with %q", what, err, fault.KindOf(err), want)
		}
	}
	_, err = svc.Pause(ctx, created.SessionID)
	check("pause created", err, "cannot pause session "+created.SessionID+": it is created")
	_, err = svc.Resume(ctx, created.SessionID)
	check("resume created", err, "it is created")
	_, err = svc.Run(ctx, created.SessionID, RunOptions{})
	check("run created", err, "cannot run session "+created.SessionID+": it is created")

	if _, err := svc.Start(ctx, created.SessionID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Start(ctx, created.SessionID)
	check("start running", err, "cannot start session "+created.SessionID+": it is running")
	// No runner holds it yet: pause and resume apply directly.
	if s, err := svc.Pause(ctx, created.SessionID); err != nil || s.Status != contract.StatusPaused {
		t.Fatalf("direct pause: %v %+v", err, s)
	}
	if s, err := svc.Resume(ctx, created.SessionID); err != nil || s.Status != contract.StatusRunning {
		t.Fatalf("direct resume: %v %+v", err, s)
	}
	mustRun(t, svc, created.SessionID, RunOptions{})
	_, err = svc.Pause(ctx, created.SessionID)
	check("pause completed", err, "cannot pause session "+created.SessionID+": it is completed")
	_, err = svc.Cancel(ctx, created.SessionID)
	check("cancel completed", err, "it is completed")

	_, err = svc.Pause(ctx, "ffffffff-no-such")
	if fault.KindOf(err) != fault.NotFound {
		t.Errorf("unknown id: %v", err)
	}
}

func TestRacingRunnersExactlyOneRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(60, "execution_queued")
	shared := e.service("shared-process")
	services := []*Service{shared, shared, shared, shared, e.service("other-1"), e.service("other-2")}
	sess := e.createStarted(shared, Spec{Rate: 200})
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		completed int
		refused   []error
	)
	startGate := make(chan struct{})
	for _, svc := range services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			res, err := svc.Run(context.Background(), sess.SessionID, RunOptions{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && res.Outcome == OutcomeCompleted:
				completed++
			case fault.KindOf(err) == fault.Conflict:
				refused = append(refused, err)
			default:
				t.Errorf("unexpected result %+v %v", res, err)
			}
		}()
	}
	close(startGate)
	wg.Wait()
	if completed != 1 || len(refused) != len(services)-1 {
		t.Fatalf("%d runs completed, %d refused (%v); want exactly one run", completed, len(refused), refused)
	}
	// Read to the end: nobody else sent anything, nothing went twice.
	testenv.AssertEachOnce(t, "execution_queued", idsOf(events), eventIDs(t, consume(t, 60, e.topics("execution_queued")...)))
}

// TestTakeoverAfterExpiredLease plays a runner that died: it holds a short
// claim and has checkpointed 10 events with 5 more possibly sent.
func TestTakeoverAfterExpiredLease(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(40, "pod_scheduled")
	dead := e.service("dead-runner")
	live := e.service("new-runner")
	sess := e.createStarted(live, Spec{})
	ctx := ctxT(t, time.Minute)
	h, err := dead.acquire(ctx, sess.SessionID, purposeRun, 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	cp := events[9]
	set := bson.D{
		{Key: "replayed_events", Value: int64(10)}, {Key: "last_event_at", Value: cp.ts},
		{Key: "replayctl.checkpoint", Value: contract.Checkpoint{Timestamp: cp.ts, ObjectID: objectID(t, e, cp.id), EventID: cp.id}},
		{Key: "replayctl.in_flight_limit", Value: int64(5)}, {Key: "replayctl.epoch", Value: h.doc.Epoch},
	}
	if ok, err := e.st.Sessions.UpdateIfStatus(ctx, sess.SessionID, contract.StatusRunning, set); err != nil || !ok {
		t.Fatal(ok, err)
	}

	_, err = live.Run(ctx, sess.SessionID, RunOptions{})
	if fault.KindOf(err) != fault.Conflict || !strings.Contains(err.Error(), "being run by dead-runner") {
		t.Fatalf("Run while the dead runner's claim is live: %v", err)
	}
	_, err = live.Resume(ctx, sess.SessionID)
	if fault.KindOf(err) != fault.Conflict {
		t.Fatalf("Resume while the claim is live: %v", err)
	}
	info, err := live.Info(ctx, sess.SessionID)
	if err != nil || info.Holder == nil || !info.Holder.Live || info.Holder.Owner != "dead-runner" || info.Holder.Purpose != purposeRun {
		t.Fatalf("info %+v %v", info, err)
	}
	testenv.Eventually(t, 10*time.Second, func() bool {
		_, err := live.Resume(ctx, sess.SessionID)
		return err == nil
	}, "the dead runner's claim to expire")

	res := mustRun(t, live, sess.SessionID, RunOptions{})
	s := res.Session
	if res.Outcome != OutcomeCompleted || s.ReplayedEvents != 40 || s.Replayctl.PossibleDuplicates != 5 {
		t.Fatalf("%s replayed %d possible duplicates %d", res.Outcome, s.ReplayedEvents, s.Replayctl.PossibleDuplicates)
	}
	// Resumed from the checkpoint after event 9: the rest once, nothing before.
	testenv.AssertEachOnce(t, "pod_scheduled", idsOf(events[10:]), eventIDs(t, consume(t, 30, e.topics("pod_scheduled")...)))
	// The dead runner's late write is refused: its claim is no longer current.
	if ok, _ := h.current(ctx); ok {
		t.Fatal("the superseded claim still looks current")
	}
}

func objectID(t *testing.T, e *env, eventID string) string {
	t.Helper()
	var doc struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := e.st.Events.Collection().FindOne(ctxT(t, time.Minute), bson.D{{Key: "event_id", Value: eventID}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc.ID.Hex()
}

func TestRunRefusesWhatThisProcessCannotRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.service("op")
	noKafka := &Service{Store: e.st, Owner: "nokafka"}
	sess := e.createStarted(svc, Spec{Target: "file", Out: "-"})
	_, err := svc.Run(ctxT(t, time.Minute), sess.SessionID, RunOptions{})
	if fault.KindOf(err) != fault.Conflict || !strings.Contains(err.Error(), "writes to stdout") {
		t.Fatalf("stdout session without Stdout: %v", err)
	}
	k := e.createStarted(svc, Spec{})
	if _, err := noKafka.Run(ctxT(t, time.Minute), k.SessionID, RunOptions{}); err == nil {
		t.Fatal("ran a Kafka session without a client")
	}
	// Nothing was claimed by the refusals.
	if l, _ := e.st.Leases().Latest(ctxT(t, time.Minute), k.SessionID); l != nil && l.Purpose == purposeRun {
		t.Fatalf("refused run left a claim %+v", l)
	}
}
