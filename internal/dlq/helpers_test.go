package dlq

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// env is one test's database and topic namespace on the shared stack.
type env struct {
	t      *testing.T
	db     *mongo.Database
	st     *store.Store
	prefix string
	kafka  *kgo.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.Database(t)
	return &env{
		t:      t,
		db:     db,
		st:     store.FromClient(db.Client(), store.Options{Database: db.Name()}),
		prefix: testenv.UniqueName(t, "p") + "_",
		kafka:  testenv.Kafka(t),
	}
}

func (e *env) topic(name string) string { return e.prefix + name }

func (e *env) manager(owner string) *Manager {
	brokers := testenv.Shared(e.t).KafkaBrokers()
	return &Manager{
		Store:       e.st,
		Kafka:       e.kafka,
		TopicPrefix: e.prefix,
		DLQTopic:    e.topic(contract.DefaultDLQTopic),
		Owner:       owner,
		Logger:      testLogger(),
		NewConsumer: func(opts ...kgo.Opt) (*kgo.Client, error) {
			return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation()}, opts...)...)
		},
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("DLQ_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// produce writes DLQ topic records (values as given) and waits for the acks.
func (e *env) produce(values ...string) {
	e.t.Helper()
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Topic: e.topic(contract.DefaultDLQTopic), Key: []byte(fmt.Sprint(i)), Value: []byte(v),
			Headers: []kgo.RecordHeader{{Key: "from-record", Value: []byte("yes")}}}
	}
	if err := e.kafka.ProduceSync(ctxT(e.t), recs...).FirstErr(); err != nil {
		e.t.Fatalf("produce: %v", err)
	}
}

// dlqRecord is a DLQ topic record value in the platform's JSON shape.
func dlqRecord(id, eventType, topic string, retries int, failedAt time.Time, errText string) string {
	v := map[string]any{
		"event": map[string]any{
			"event_id": id, "event_type": eventType, "event_version": "1.0",
			"timestamp": failedAt.Add(-time.Second).Format(time.RFC3339Nano), "aggregate_id": "agg-" + id,
			"metadata":  map[string]any{"service_name": "svc", "service_version": "1", "user_id": "u1", "environment": "production"},
			"exit_code": 1, "ratio": 0.5,
		},
		"original_topic": topic, "error": errText, "retry_count": retries,
		"failed_at": failedAt.Format("2006-01-02T15:04:05.000000"), "producer_id": "producer-1",
		"headers": map[string]string{"trace_id": "tr-" + id},
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// readTopic waits until a topic holds at least want records, then returns
// every record up to its end offsets, so a duplicate beyond want shows.
func readTopic(t *testing.T, topic string, want int) []*kgo.Record {
	t.Helper()
	return testenv.WaitRecords(t, testenv.Shared(t).KafkaBrokers(), want, 30*time.Second, topic)
}

// countTopic counts the records on a topic now (its end offsets), without
// waiting; a topic that does not exist has none.
func (e *env) countTopic(topic string) int64 {
	e.t.Helper()
	return testenv.CountRecords(e.t, testenv.Shared(e.t).KafkaBrokers(), topic)
}

func headerMap(r *kgo.Record) map[string]string {
	hs := map[string]string{}
	for _, h := range r.Headers {
		hs[h.Key] = string(h.Value)
	}
	return hs
}

// loadMsg reads one stored message by event id.
func (e *env) loadMsg(id string) contract.DLQMessage {
	e.t.Helper()
	var msg contract.DLQMessage
	if err := e.st.DLQ.Collection().FindOne(ctxT(e.t), bson.D{{Key: "event.event_id", Value: id}}).Decode(&msg); err != nil {
		e.t.Fatalf("load %s: %v", id, err)
	}
	return msg
}

func (e *env) rawMsg(id string) bson.Raw {
	e.t.Helper()
	raw, err := e.st.DLQ.Collection().FindOne(ctxT(e.t), bson.D{{Key: "event.event_id", Value: id}}).Raw()
	if err != nil {
		e.t.Fatalf("load %s: %v", id, err)
	}
	return raw
}

func (e *env) count(coll string, q bson.D) int64 {
	e.t.Helper()
	n, err := e.db.Collection(coll).CountDocuments(ctxT(e.t), q)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// insertDue inserts a scheduled pod_failed message that failed an hour ago
// after retries retries and has been due since, and returns its topic and
// failure time.
func (e *env) insertDue(id string, retries int32) (string, time.Time) {
	e.t.Helper()
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	topic := e.topic("pod_failed")
	e.insertPlatformDoc(id, "pod_failed", topic, contract.DLQScheduled, retries, at, "boom", at)
	return topic, at
}

// insertPlatformDoc inserts a dlq_messages document the way the platform's
// pymongo writes it: int32 counters, BSON dates, explicit nulls.
func (e *env) insertPlatformDoc(id, eventType, topic string, status contract.DLQStatus, retries int32, failedAt time.Time, errText string, nextRetry any) {
	e.t.Helper()
	doc := bson.D{
		{Key: "event", Value: bson.D{
			{Key: "event_id", Value: id}, {Key: "event_type", Value: eventType}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: failedAt.Add(-time.Second)}, {Key: "aggregate_id", Value: nil},
			{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "svc"}, {Key: "service_version", Value: "1"}, {Key: "user_id", Value: "u"}, {Key: "environment", Value: "production"}}},
			{Key: "execution_id", Value: "exec-" + id},
		}},
		{Key: "original_topic", Value: topic}, {Key: "error", Value: errText}, {Key: "retry_count", Value: retries},
		{Key: "failed_at", Value: failedAt}, {Key: "status", Value: string(status)}, {Key: "producer_id", Value: "p-1"},
		{Key: "created_at", Value: failedAt.Add(time.Millisecond)}, {Key: "last_updated", Value: nil},
		{Key: "next_retry_at", Value: nextRetry}, {Key: "retried_at", Value: nil}, {Key: "discarded_at", Value: nil},
		{Key: "discard_reason", Value: nil}, {Key: "last_error", Value: nil},
		{Key: "dlq_offset", Value: int32(7)}, {Key: "dlq_partition", Value: int32(0)},
		{Key: "headers", Value: bson.D{{Key: "event_type", Value: eventType}, {Key: "original_topic", Value: topic}}},
	}
	if _, err := e.st.DLQ.Collection().InsertOne(ctxT(e.t), doc); err != nil {
		e.t.Fatalf("insert %s: %v", id, err)
	}
}
