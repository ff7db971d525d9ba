package replay

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// electionOutage is longer than a typical unplanned election (about 12 s).
const electionOutage = 20 * time.Second

// TestForegroundRunRidesOutAMongoOutage cuts MongoDB away from a running
// foreground replay for 20 s, with the real default TTL, while Kafka stays
// up: the session must complete without an operator.
func TestForegroundRunRidesOutAMongoOutage(t *testing.T) {
	t.Parallel()
	rideOutOutage(t, 0)
}

// TestRunnerRetakesALapsedClaimAfterAnOutage makes the outage far outlast
// the claim: nobody else takes the session, so the runner must take it
// again under a new epoch, count the unconfirmed window as possible
// duplicates, and finish.
func TestRunnerRetakesALapsedClaimAfterAnOutage(t *testing.T) {
	t.Parallel()
	const ttl = 5 * time.Second
	res, logs := rideOutOutage(t, ttl)
	if !strings.Contains(logs, "took the session again") {
		t.Fatalf("a %v outage must outlast a %v claim and be followed by a retake; log:\n%s", electionOutage, ttl, logs)
	}
	if res.Session.Replayctl.Epoch <= 2 { // 1 = start's control claim, 2 = the run's first
		t.Fatalf("the session still records epoch %d after the retake", res.Session.Replayctl.Epoch)
	}
	// The retake records where its possible duplicates lie, for verify.
	ext := res.Session.Replayctl
	var windowed int64
	for _, w := range ext.DuplicateWindows {
		if w.Epoch <= 2 || w.Through == nil { // After is nil when no checkpoint was written before the outage
			t.Errorf("window %+v: want the retake's epoch and the last event sent", w)
		}
		windowed += w.Count
	}
	if ext.PossibleDuplicates > 0 && windowed != ext.PossibleDuplicates {
		t.Errorf("windows %+v hold %d events; %d were declared possible duplicates", ext.DuplicateWindows, windowed, ext.PossibleDuplicates)
	}
}

// rideOutOutage runs 600 events at 40/s through a MongoDB proxy that goes
// down for electionOutage after the first 20, and checks the session
// completes with every event delivered and duplicates only where recorded.
func rideOutOutage(t *testing.T, ttl time.Duration) (*Result, string) {
	t.Helper()
	e := newEnv(t)
	events := e.seed(600, "execution_queued")
	proxy := testenv.MongoProxy(t, testenv.Shared(t).MongoURI())
	// Connected as `replay start` connects (the default 10 s timeouts).
	st, err := store.Connect(ctxT(t, time.Minute), store.Options{
		URI: proxy.URI(testenv.Shared(t).MongoURI()), Database: e.st.Database().Name(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	logs := &testenv.SyncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("runner log:\n%s", logs.String())
		}
	})
	svc := &Service{Store: st, Kafka: producer(t), TopicPrefix: e.prefix, Owner: "foreground", LeaseTTL: ttl,
		Logger: slog.New(slog.NewTextHandler(logs, nil))}
	sess := e.createStarted(svc, Spec{Rate: 40})
	ra := startRun(t, svc, sess.SessionID, RunOptions{})
	testenv.Eventually(t, time.Minute, func() bool { return ra.replayed.Load() >= 20 }, "the run to get going")

	proxy.Down()
	began := time.Now()
	testenv.Eventually(t, electionOutage+5*time.Second, func() bool { return time.Since(began) >= electionOutage },
		"the outage to last %v", electionOutage)
	select {
	case <-ra.done:
		t.Fatalf("the run ended during the outage: %v", ra.err)
	default:
	}
	proxy.Up()

	select {
	case <-ra.done:
	case <-time.After(3 * time.Minute):
		t.Fatal("run did not end after the outage")
	}
	if ra.err != nil {
		t.Fatalf("Run: %v", ra.err)
	}
	res := ra.res
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 600 || res.Session.FailedEvents != 0 {
		t.Fatalf("%s %+v", res.Outcome, res.Session)
	}
	recs := testenv.ReadToEnd(t, testenv.Shared(t).KafkaBrokers(), e.topics("execution_queued")...)
	dups := int64(testenv.AssertEachAtLeastOnce(t, "execution_queued", idsOf(events), eventIDs(t, recs)))
	if dups > res.Session.Replayctl.PossibleDuplicates {
		t.Fatalf("%d duplicates, only %d recorded as possible", dups, res.Session.Replayctl.PossibleDuplicates)
	}
	t.Logf("duplicates %d, recorded as possible %d, epoch %d, lapsed %v", dups, res.Session.Replayctl.PossibleDuplicates,
		res.Session.Replayctl.Epoch, strings.Contains(logs.String(), "took the session again"))
	return res, logs.String()
}

// TestLapsedRunnerGivesUpToALiveTaker: while MongoDB is away from runner A
// its claim expires and runner B takes the session. When MongoDB returns,
// A must see the live later claim and stop (a lost claim) instead of
// taking the session again; B completes it.
func TestLapsedRunnerGivesUpToALiveTaker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(200, "pod_created")
	proxy := testenv.MongoProxy(t, testenv.Shared(t).MongoURI())
	stA, err := store.Connect(ctxT(t, time.Minute), store.Options{
		URI: proxy.URI(testenv.Shared(t).MongoURI()), Database: e.st.Database().Name(), Timeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stA.Close() })
	a := &Service{Store: stA, Kafka: producer(t), TopicPrefix: e.prefix, Owner: "runner-a", LeaseTTL: 3 * time.Second}
	b := e.service("runner-b")
	sess := e.createStarted(a, Spec{Rate: 20})
	ra := startRun(t, a, sess.SessionID, RunOptions{})
	testenv.Eventually(t, time.Minute, func() bool { return ra.replayed.Load() >= 20 }, "A to get going")

	proxy.Down()
	leaseA, err := e.st.Leases().Latest(ctxT(t, time.Minute), sess.SessionID)
	if err != nil || leaseA == nil {
		t.Fatal(leaseA, err)
	}
	testenv.Eventually(t, 30*time.Second, func() bool { return time.Now().After(leaseA.ExpiresAt) }, "A's claim to expire")
	rb := startRun(t, b, sess.SessionID, RunOptions{})
	testenv.Eventually(t, time.Minute, func() bool { return rb.replayed.Load() > 0 }, "B to take the session")
	proxy.Up()

	select {
	case <-ra.done:
	case <-rb.done:
		t.Fatal("B finished while A still ran")
	case <-time.After(time.Minute):
		t.Fatal("A did not give the session up")
	}
	var lost *LostClaimError
	if !errors.As(ra.err, &lost) {
		t.Fatalf("A: want a lost claim, got %v (result %+v)", ra.err, ra.res)
	}
	res := rb.wait(t)
	// B's epoch follows A's; it may be more than one later, since on a
	// loaded machine B's own claim can lapse and be retaken (each retake
	// is a new epoch).
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 200 || res.Session.Replayctl.Epoch <= leaseA.Epoch {
		t.Fatalf("B (A's epoch %d): %s %+v", leaseA.Epoch, res.Outcome, res.Session)
	}
	recs := testenv.ReadToEnd(t, testenv.Shared(t).KafkaBrokers(), e.topics("pod_created")...)
	if dups := int64(testenv.AssertEachAtLeastOnce(t, "pod_created", idsOf(events), eventIDs(t, recs))); dups > res.Session.Replayctl.PossibleDuplicates {
		t.Fatalf("%d duplicates, only %d recorded as possible", dups, res.Session.Replayctl.PossibleDuplicates)
	}
}
