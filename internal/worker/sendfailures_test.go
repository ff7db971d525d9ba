package worker

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// scheduledDLQDoc is a due platform DLQ message whose event failed on topic.
func scheduledDLQDoc(id, topic string, failedAt time.Time) bson.D {
	return bson.D{
		{Key: "event", Value: bson.D{{Key: "event_id", Value: id}, {Key: "event_type", Value: "pod_failed"},
			{Key: "event_version", Value: "1.0"}, {Key: "timestamp", Value: failedAt.Add(-time.Second)}}},
		{Key: "original_topic", Value: topic}, {Key: "error", Value: "boom"}, {Key: "retry_count", Value: int32(0)},
		{Key: "failed_at", Value: failedAt}, {Key: "status", Value: string(contract.DLQScheduled)}, {Key: "producer_id", Value: "p-1"},
		{Key: "created_at", Value: failedAt}, {Key: "next_retry_at", Value: failedAt},
		{Key: "headers", Value: bson.D{{Key: "event_type", Value: "pod_failed"}, {Key: "original_topic", Value: topic}}},
	}
}

// On a cluster that does not create topics, each DLQ message whose topic is
// missing counts one permanent send failure per failed send: once on the
// first pass, once more when it is due again; none is transient.
func TestDLQSendFailuresCountPermanentPerMessage(t *testing.T) {
	db := testenv.Database(t)
	st := store.FromClient(db.Client(), store.Options{Database: db.Name()})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := testenv.StrictKafka(t, 1)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordDeliveryTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	prefix := testenv.UniqueName(t, "p") + "_"
	missing := prefix + "no_such_topic"
	past := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	const n = 3
	for i := range n {
		if _, err := st.DLQ.Collection().InsertOne(ctx, scheduledDLQDoc(fmt.Sprintf("%sbad-%d", prefix, i), missing, past)); err != nil {
			t.Fatal(err)
		}
	}
	m := NewMetrics()
	mgr := &dlq.Manager{Store: st, Kafka: cl, TopicPrefix: prefix, Owner: "worker-test", Metrics: m.DLQ()}
	permanent := map[string]string{"kind": KindPermanent}
	transient := map[string]string{"kind": KindTransient}

	if sent, err := mgr.RetryDue(ctx); err != nil || sent != 0 {
		t.Fatalf("first pass: sent %d, %v; want 0 and no error", sent, err)
	}
	if v, ok := value(t, m.Registry(), "replayctl_dlq_send_failures_total", permanent); !ok || v != n {
		t.Fatalf("permanent send failures after the first pass = %v (present %v), want %d", v, ok, n)
	}

	later := time.Now().UTC().Add(3 * time.Hour)
	mgr.Now = func() time.Time { return later }
	if _, err := mgr.RetryDue(ctx); err != nil {
		t.Fatalf("second pass: %v", err)
	}
	if v, _ := value(t, m.Registry(), "replayctl_dlq_send_failures_total", permanent); v != 2*n {
		t.Fatalf("permanent send failures after the second pass = %v, want %d", v, 2*n)
	}
	if v, ok := value(t, m.Registry(), "replayctl_dlq_send_failures_total", transient); !ok || v != 0 {
		t.Fatalf("transient send failures = %v (present %v), want 0", v, ok)
	}
}
