package replay

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// TestStaleRunnerCannotOverwriteTheNextRunnersSession pauses runner A just
// before its final write (as SIGSTOP or a slow network would), lets its
// claim lapse, lets runner B take the session over and stream it, and
// holds B just before its own final write, so the session is still
// running. Then A's write goes: only the epoch in the filter can refuse
// it (status is still running), and A must report the lost claim. The
// session keeps B's state to the byte, and B then completes it.
func TestStaleRunnerCannotOverwriteTheNextRunnersSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(60, "pod_running")
	proxy := testenv.MongoProxy(t, testenv.Shared(t).MongoURI())
	stA, err := store.Connect(ctxT(t, time.Minute), store.Options{
		URI: proxy.URI(testenv.Shared(t).MongoURI()), Database: e.st.Database().Name(), Timeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stA.Close() })
	a := &Service{Store: stA, Kafka: producer(t), TopicPrefix: e.prefix, Owner: "runner-a", LeaseTTL: 3 * time.Second}
	atWrite, release := make(chan struct{}), make(chan struct{})
	a.beforeFinalWrite = func() {
		close(atWrite)
		<-release
	}
	b := e.service("runner-b")
	sess := e.createStarted(a, Spec{})
	ra := startRun(t, a, sess.SessionID, RunOptions{})
	letGo := sync.OnceFunc(func() { close(release) })
	t.Cleanup(letGo) // before startRun's: a failed test must not leave A blocked
	select {
	case <-atWrite:
	case <-ra.done:
		t.Fatalf("A ended before its final write: %v", ra.err)
	case <-time.After(time.Minute):
		t.Fatal("A never reached its final write")
	}

	// A is frozen with its write in hand; its claim lapses.
	proxy.Down()
	leaseA, err := e.st.Leases().Latest(ctxT(t, time.Minute), sess.SessionID)
	if err != nil || leaseA == nil {
		t.Fatal(leaseA, err)
	}
	testenv.Eventually(t, 30*time.Second, func() bool { return time.Now().After(leaseA.ExpiresAt) }, "A's claim to expire")
	if _, err := b.Resume(ctxT(t, time.Minute), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	bAtWrite, bRelease := make(chan struct{}), make(chan struct{})
	b.beforeFinalWrite = func() {
		close(bAtWrite)
		<-bRelease
	}
	letB := sync.OnceFunc(func() { close(bRelease) })
	rb := startRun(t, b, sess.SessionID, RunOptions{})
	t.Cleanup(letB)
	select {
	case <-bAtWrite:
	case <-rb.done:
		t.Fatalf("B ended before its final write: %v", rb.err)
	case <-time.After(time.Minute):
		t.Fatal("B never reached its final write")
	}
	heldByB, err := e.st.Sessions.GetRaw(ctxT(t, time.Minute), sess.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := heldByB.Lookup("status").StringValueOK(); st != "running" {
		t.Fatalf("B's session is %q before its final write, want running", st)
	}

	proxy.Up()
	letGo()
	select {
	case <-ra.done:
	case <-time.After(time.Minute):
		t.Fatal("A did not stop after its claim was taken over")
	}
	var lost *LostClaimError
	if !errors.As(ra.err, &lost) {
		t.Errorf("A: want a lost claim, got %v (result %+v)", ra.err, ra.res)
	}
	afterA, err := e.st.Sessions.GetRaw(ctxT(t, time.Minute), sess.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(afterA, heldByB) {
		t.Fatalf("A wrote over B's running session:\nB's:     %v\nafter A: %v", heldByB, afterA)
	}

	letB()
	resB := rb.wait(t)
	if resB.Outcome != OutcomeCompleted || resB.Session.ReplayedEvents != 60 {
		t.Fatalf("B: %s %+v", resB.Outcome, resB.Session)
	}
	recs := testenv.ReadToEnd(t, testenv.Shared(t).KafkaBrokers(), e.topics("pod_running")...)
	dups := int64(testenv.AssertEachAtLeastOnce(t, "pod_running", idsOf(events), eventIDs(t, recs)))
	if s := e.get(sess.SessionID); dups > s.Replayctl.PossibleDuplicates {
		t.Fatalf("%d duplicates, only %d recorded as possible", dups, s.Replayctl.PossibleDuplicates)
	}
}
