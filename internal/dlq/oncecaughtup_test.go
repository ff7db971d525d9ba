package dlq

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// A --once pass beside a worker that owns every partition and has
// committed them all to their ends has nothing to read: that is a normal
// caught-up pass (no error, so exit 0), and it still retries what is due.
func TestOncePassBesideACaughtUpWorkerIsACleanPass(t *testing.T) {
	e := newEnv(t)
	s := e.strictDLQ(1)
	group := testenv.UniqueName(t, "g")
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// An hour between due rounds: the due message below is the pass's.
		_, err := s.manager(e, "worker-a").Process(ctx, ProcessOptions{Group: group, PollInterval: time.Hour})
		done <- err
	}()
	failed := time.Now().UTC().Add(-time.Minute)
	s.produce(t, dlqRecord("read-1", "execution_failed", e.topic("execution_failed"), 0, failed, "boom"))
	running := func() {
		select {
		case err := <-done:
			t.Fatalf("the worker stopped: %v", err)
		default:
		}
	}
	testenv.Eventually(t, 60*time.Second, func() bool {
		running()
		return e.count("dlq_messages", bson.D{}) == 1 && s.committed(t, group) == 1
	}, "the worker to store and commit the record")
	testenv.Eventually(t, 30*time.Second, func() bool {
		gs, err := kadm.NewClient(s.prod).DescribeGroups(ctxT(t), group)
		g := gs[group]
		return err == nil && g.State == "Stable" && len(g.Members) == 1 && len(g.AssignedPartitions()[s.topic]) == 1
	}, "the worker to own the partition")
	e.insertDue("due-1", 0)

	began := time.Now()
	stats, err := s.manager(e, "once").Process(ctxT(t), ProcessOptions{Once: true, Group: group})
	t.Logf("the pass took %s: %+v", time.Since(began).Round(time.Millisecond), stats)
	if err != nil {
		t.Fatalf("the pass failed: %v", err)
	}
	if stats.Received != 0 || stats.Retried != 1 {
		t.Errorf("stats %+v, want nothing received and the due message retried", stats)
	}
	if msg := e.loadMsg("due-1"); msg.Status != contract.DLQRetried {
		t.Errorf("the due message is %s, want retried by the pass", msg.Status)
	}
	running()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("the worker: %v", err)
	}
}
