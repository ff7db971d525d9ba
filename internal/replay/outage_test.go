package replay

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// outageCluster is a Kafka of the test's own whose produce requests can be
// made to fail (the connection is dropped, as when a broker dies).
type outageCluster struct {
	c    *kfake.Cluster
	down atomic.Bool
}

func newOutageCluster(t *testing.T) *outageCluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3))
	if err != nil {
		t.Fatal(err)
	}
	oc := &outageCluster{c: c}
	c.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if oc.down.Load() {
			return nil, errors.New("broker down"), true
		}
		return nil, nil, false
	})
	t.Cleanup(c.Close)
	return oc
}

func (oc *outageCluster) client(t *testing.T) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(oc.c.ListenAddrs()...), kgo.AllowAutoTopicCreation()}, ProducerOpts()...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close) // registered after the cluster's: closes first
	return cl
}

func TestBrokerOutageIsRetriedNotFailedAndPauseStillWorks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(120, "quota_exceeded")
	oc := newOutageCluster(t)
	a := &Service{Store: e.st, Kafka: oc.client(t), TopicPrefix: e.prefix, Owner: "a", LeaseTTL: 3 * time.Second}
	b := &Service{Store: e.st, Kafka: oc.client(t), TopicPrefix: e.prefix, Owner: "b", LeaseTTL: 3 * time.Second}
	sess := e.createStarted(a, Spec{Rate: 100, FailFast: true})
	ra := startRun(t, a, sess.SessionID, RunOptions{})
	testenv.Eventually(t, 30*time.Second, func() bool { return ra.replayed.Load() >= 20 }, "the run to get going")

	oc.down.Store(true)
	testenv.Eventually(t, 30*time.Second, func() bool { return ra.inFlight.Load() >= 30 }, "events to pile up unacknowledged")
	began := time.Now()
	paused, err := b.Pause(ctxT(t, 30*time.Second), sess.SessionID)
	if err != nil || paused.Status != contract.StatusPaused {
		t.Fatalf("pause during the outage: %v %+v", err, paused)
	}
	t.Logf("pause during an outage took %v", time.Since(began))
	res := ra.wait(t)
	if res.Outcome != OutcomePaused || res.Session.FailedEvents != 0 {
		t.Fatalf("an outage must not fail events: %s %+v", res.Outcome, res.Session)
	}
	limit, _ := e.rawInt(sess.SessionID, "replayctl", "in_flight_limit")
	t.Logf("paused at %d with %d unacknowledged", res.Session.ReplayedEvents, limit)

	oc.down.Store(false)
	if _, err := b.Resume(ctxT(t, time.Minute), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	res = mustRun(t, b, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 120 || res.Session.FailedEvents != 0 {
		t.Fatalf("%s %+v", res.Outcome, res.Session)
	}
	recs := testenv.ReadToEnd(t, oc.c.ListenAddrs(), e.topics("quota_exceeded")...)
	if dups := int64(testenv.AssertEachAtLeastOnce(t, "quota_exceeded", idsOf(events), eventIDs(t, recs))); dups > res.Session.Replayctl.PossibleDuplicates {
		t.Fatalf("%d duplicates, only %d recorded as possible", dups, res.Session.Replayctl.PossibleDuplicates)
	}
}
