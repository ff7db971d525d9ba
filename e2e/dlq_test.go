package e2e_test

import (
	"context"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// dlqRecord is a DLQ topic record as the platform's consumers write it.
func dlqRecord(topic string, partition int32, eventID string, now time.Time) *kgo.Record {
	r := dlqRecordOf(topic, eventID, "user_login", "user_login", now)
	r.Partition = partition
	return r
}

// dlqRecordOf is a DLQ topic record of an event of eventType that failed
// on originalTopic.
func dlqRecordOf(topic, eventID, eventType, originalTopic string, now time.Time) *kgo.Record {
	v, _ := json.Marshal(map[string]any{
		"event": map[string]any{
			"event_id": eventID, "event_type": eventType, "event_version": "1.0",
			"timestamp": now.Add(-time.Minute).Format(time.RFC3339Nano), "aggregate_id": nil,
			"metadata": map[string]any{"service_name": "auth", "service_version": "1.0", "user_id": "u1", "environment": "production"},
		},
		"original_topic": originalTopic, "error": "handler timed out after 30s", "retry_count": 0,
		"failed_at": now.Format(time.RFC3339Nano), "producer_id": "auth-consumer-1",
	})
	return &kgo.Record{Topic: topic, Partition: -1, Key: []byte(eventID), Value: v}
}

// dlqDocs loads every stored DLQ message by event id, counting how many
// documents each event id has.
func (p *platform) dlqDocs() (map[string]contract.DLQMessage, map[string]int) {
	p.t.Helper()
	// Not Distinct: FerretDB rejects the maxTimeMS the driver adds to it
	// under a context deadline.
	docs := testenv.FindAll[contract.DLQMessage](p.t, p.st.DLQ.Collection(), bson.D{})
	byID, count := map[string]contract.DLQMessage{}, map[string]int{}
	for _, d := range docs {
		byID[d.EventID()] = d
		count[d.EventID()]++
	}
	return byID, count
}

// notified counts, per DLQ event id, the notifications of type typ.
func (p *platform) notified(typ string) map[string]int {
	p.t.Helper()
	got := map[string]int{}
	for _, r := range testenv.ReadToEnd(p.t, p.brokers, p.prefix+typ) {
		var v struct {
			DLQEventID string `json:"dlq_event_id"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			p.t.Fatalf("%s record is not JSON: %v", typ, err)
		}
		got[v.DLQEventID]++
	}
	return got
}

// keys counts the records of topic per key (a redriven DLQ message is
// keyed by its event id).
func (p *platform) keys(topic string) map[string]int {
	p.t.Helper()
	got := map[string]int{}
	for _, r := range testenv.ReadToEnd(p.t, p.brokers, topic) {
		got[string(r.Key)]++
	}
	return got
}

// testDLQRecordsIngestedOnce: with two workers in one consumer group, the
// DLQ topic's partitions are split between them and every record becomes
// exactly one document and one dlq_message_received notification.
func testDLQRecordsIngestedOnce(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	const n = 30
	dlqTopic := p.prefix + "dead_letter_queue"
	group := testenv.UniqueName(t, "g")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adm := kadm.NewClient(kafkaClient(t, p.brokers))
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, dlqTopic); err != nil {
		t.Fatal(err)
	}
	a := p.startWorker("a", "--group", group)
	b := p.startWorker("b", "--group", group)
	testenv.Eventually(t, 60*time.Second, func() bool { return assigned(ctx, adm, group) == 2 }, "both workers own DLQ partitions")

	prod := kafkaClient(t, p.brokers, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	now := time.Now().UTC()
	want := make([]string, n)
	for i := range n {
		want[i] = testenv.UUID()
		if err := prod.ProduceSync(ctx, dlqRecord(dlqTopic, int32(i%3), want[i], now)).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	coll := p.st.DLQ.Collection()
	testenv.Eventually(t, 60*time.Second, func() bool {
		c, err := coll.CountDocuments(ctx, bson.D{})
		return err == nil && c >= n
	}, "%d DLQ messages stored", n)
	// Each worker ingested its partitions' share; together, every record.
	received := func(w *workerProc) float64 {
		return sum(w.metrics(), "replayctl_dlq_messages_total", map[string]string{"action": "received"})
	}
	testenv.Eventually(t, 10*time.Second, func() bool { return received(a)+received(b) == n }, "received counters add up to %d", n)
	if received(a) == 0 || received(b) == 0 {
		t.Errorf("received per worker: a %v, b %v; want both to take part", received(a), received(b))
	}
	for _, w := range []*workerProc{a, b} {
		if code, _ := w.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
			t.Errorf("worker %s exited %d", w.name, code)
		}
	}

	_, stored := p.dlqDocs()
	testenv.AssertEachOnce(t, "dlq_messages", want, stored)
	testenv.AssertEachOnce(t, "dlq_message_received", want, p.notified(dlq.EventReceived))
}

// assigned counts the group members that own at least one partition.
func assigned(ctx context.Context, adm *kadm.Client, group string) int {
	groups, err := adm.DescribeGroups(ctx, group)
	if err != nil {
		return 0
	}
	g, ok := groups[group]
	if !ok || g.State != "Stable" {
		return 0
	}
	n := 0
	for _, m := range g.Members {
		if c, ok := m.Assigned.AsConsumer(); ok && len(c.Topics) > 0 {
			n++
		}
	}
	return n
}
