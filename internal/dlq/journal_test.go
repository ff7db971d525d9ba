package dlq

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// journalLostSend stores a message as an immediate retry of round 0 whose
// process died before the send (retried, retry_count 1) and its journal
// entry, both older than the claim lease.
func (e *env) journalLostSend(id, topic string) {
	e.t.Helper()
	old := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	e.insertPlatformDoc(id, "result_stored", topic, contract.DLQRetried, 1, old, "boom", old)
	_, err := e.st.DLQPendingSends().Collection().InsertOne(ctxT(e.t),
		pendingSend{ID: id + ":0", EventID: id, Round: 0, Topic: topic, Owner: "dead", CreatedAt: old})
	if err != nil {
		e.t.Fatal(err)
	}
}

// A journalled immediate retry whose topic does not exist can never be
// sent: the first due round rolls it back as a failed due retry is rolled
// back (scheduled, the error, a failure count, next_retry_at past the
// failure back-off) and deletes the entry, so later rounds neither send it
// again nor log it again.
func TestJournalledSendToMissingTopicIsRolledBack(t *testing.T) {
	e := newEnv(t)
	missing := e.topic("no_such_topic")
	m, _, logs := e.strictManager()
	e.journalLostSend("lost-perm", missing)
	ctx := ctxT(t)

	before := time.Now().UTC().Truncate(time.Millisecond)
	if n, err := m.RetryDue(ctx); err != nil || n != 0 {
		t.Fatalf("first pass: retried %d, %v; want 0, no error", n, err)
	}
	msg := e.loadMsg("lost-perm")
	checkBackedOff(t, e, msg, missing, before, 1)
	if msg.NextRetryAt == nil || msg.NextRetryAt.Before(before.Add(failureBackoff(1))) {
		t.Errorf("next_retry_at %v, want at least %v after %v", msg.NextRetryAt, failureBackoff(1), before)
	}
	if msg.RetriedAt != nil {
		t.Errorf("retried_at %v, want null: it was never sent", msg.RetriedAt)
	}
	if n := e.count(PendingSendsCollection, bson.D{}); n != 0 {
		t.Errorf("%d journal entries left, want the unsendable one deleted", n)
	}

	for pass := 2; pass <= 3; pass++ {
		if n, err := m.RetryDue(ctx); err != nil || n != 0 {
			t.Fatalf("pass %d: retried %d, %v; want 0", pass, n, err)
		}
	}
	if c := linesAbout(logs.String(), "lost-perm"); c != 1 {
		t.Errorf("%d log lines about the message after three passes, want 1 (it was re-sent):\n%s", c, logs)
	}
	if got := sendFailures(ptr(e.loadMsg("lost-perm"))); got != 1 {
		t.Errorf("%s = %d after three passes, want 1: it is not due again yet", SendFailuresField, got)
	}
}

func ptr[T any](v T) *T { return &v }

// A journalled send that fails transiently (the broker refuses it with an
// error that may pass) keeps its entry and its retried message for the
// next round, and the failures are logged at most once per topic per
// interval, not once per entry per round.
func TestJournalledSendTransientFailureKeepsEntryAndLogsOnce(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("result_stored")
	m, _, logs := e.strictManager()
	c := testenv.StrictKafka(t, 1, topic)
	refuseProduces(c)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordDeliveryTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	m.Kafka = cl
	ids := []string{"lost-a", "lost-b", "lost-c"}
	for _, id := range ids {
		e.journalLostSend(id, topic)
	}
	ctx := ctxT(t)
	for pass := 1; pass <= 2; pass++ {
		if n, err := m.RetryDue(ctx); err != nil || n != 0 {
			t.Fatalf("pass %d: retried %d, %v; want 0", pass, n, err)
		}
		if n := e.count(PendingSendsCollection, bson.D{}); n != int64(len(ids)) {
			t.Errorf("pass %d: %d journal entries, want all %d kept", pass, n, len(ids))
		}
		for _, id := range ids {
			if msg := e.loadMsg(id); msg.Status != contract.DLQRetried || msg.RetryCount != 1 {
				t.Errorf("pass %d: %s is %s with retry_count %d, want still retried 1", pass, id, msg.Status, msg.RetryCount)
			}
		}
	}
	if warns := strings.Count(logs.String(), "level=WARN"); warns != 1 {
		t.Errorf("%d warnings over two passes of %d failing entries, want 1:\n%s", warns, len(ids), logs)
	}
}

// refuseProduces makes c answer every produce request with
// POLICY_VIOLATION, an error kgo does not retry and classifySend does not
// call permanent.
func refuseProduces(c *kfake.Cluster) { refuseProducesWith(c, kerr.PolicyViolation.Code) }

// refuseProducesWith makes c answer every produce request with code.
func refuseProducesWith(c *kfake.Cluster, code int16) {
	c.ControlKey(kmsg.Produce.Int16(), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		pr := req.(*kmsg.ProduceRequest)
		resp := pr.ResponseKind().(*kmsg.ProduceResponse)
		resp.Version = pr.Version
		for _, t := range pr.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic, rt.TopicID = t.Topic, t.TopicID
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, code
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp, nil, true
	})
}

// Journalled sends are redone in one batch: a round whose entries all time
// out on a broker that keeps answering with a retriable error costs one
// delivery timeout, not one per entry (each up to 30 s by default).
func TestJournalledSendsShareOneDeliveryTimeout(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("result_stored")
	m, _, _ := e.strictManager()
	c := testenv.StrictKafka(t, 1, topic)
	refuseProducesWith(c, kerr.NotEnoughReplicas.Code)
	const timeout, entries = 3 * time.Second, 5
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordDeliveryTimeout(timeout))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	m.Kafka = cl
	for i := range entries {
		e.journalLostSend(fmt.Sprintf("stalled-%d", i), topic)
	}
	began := time.Now()
	if n, err := m.RetryDue(ctxT(t)); err != nil || n != 0 {
		t.Fatalf("retried %d, %v; want 0", n, err)
	}
	took := time.Since(began)
	t.Logf("a round of %d stalled entries took %s (delivery timeout %s)", entries, took.Round(time.Millisecond), timeout)
	if took >= (entries-1)*timeout {
		t.Errorf("a round of %d stalled entries took %s: the sends waited one after another", entries, took)
	}
	if n := e.count(PendingSendsCollection, bson.D{}); n != entries {
		t.Errorf("%d journal entries, want all %d kept", n, entries)
	}
}
