package dlqjob

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
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
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.Database(t)
	return &env{t: t, db: db, st: store.FromClient(db.Client(), store.Options{Database: db.Name()}),
		prefix: testenv.UniqueName(t, "j") + "_"}
}

func (e *env) topic(name string) string { return e.prefix + name }

func (e *env) manager(owner string) *dlq.Manager {
	return &dlq.Manager{Store: e.st, Kafka: testenv.Kafka(e.t), TopicPrefix: e.prefix,
		DLQTopic: e.topic(contract.DefaultDLQTopic), Owner: owner}
}

func (e *env) service(owner string) *Service {
	return &Service{Store: e.st, DLQ: e.manager(owner), Owner: owner, LeaseTTL: 3 * time.Second}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// seed inserts n pending messages of topic failed a minute ago, one
// millisecond apart, and returns their event ids in failure order.
func (e *env) seed(prefix, topic string, n int) []string {
	e.t.Helper()
	base := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	ids := make([]string, n)
	docs := make([]any, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%s-%04d", prefix, i)
		docs[i] = messageDoc(ids[i], topic, contract.DLQPending, base.Add(time.Duration(i)*time.Millisecond))
	}
	if _, err := e.st.DLQ.Collection().InsertMany(ctxT(e.t), docs); err != nil {
		e.t.Fatalf("seed: %v", err)
	}
	return ids
}

func (e *env) insert(id, topic string, status contract.DLQStatus, failedAt time.Time) {
	e.t.Helper()
	if _, err := e.st.DLQ.Collection().InsertOne(ctxT(e.t), messageDoc(id, topic, status, failedAt)); err != nil {
		e.t.Fatalf("insert %s: %v", id, err)
	}
}

// messageDoc is a dlq_messages document as the platform writes it.
func messageDoc(id, topic string, status contract.DLQStatus, failedAt time.Time) bson.D {
	return bson.D{
		{Key: "event", Value: bson.D{
			{Key: "event_id", Value: id}, {Key: "event_type", Value: "pod_failed"}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: failedAt.Add(-time.Second)}, {Key: "aggregate_id", Value: nil},
			{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "svc"}, {Key: "service_version", Value: "1"},
				{Key: "user_id", Value: "u"}, {Key: "environment", Value: "production"}}},
		}},
		{Key: "original_topic", Value: topic}, {Key: "error", Value: "boom"}, {Key: "retry_count", Value: int32(0)},
		{Key: "failed_at", Value: failedAt}, {Key: "status", Value: string(status)}, {Key: "producer_id", Value: "p-1"},
		{Key: "created_at", Value: failedAt}, {Key: "last_updated", Value: nil}, {Key: "next_retry_at", Value: nil},
		{Key: "retried_at", Value: nil}, {Key: "discarded_at", Value: nil}, {Key: "discard_reason", Value: nil},
		{Key: "last_error", Value: nil}, {Key: "headers", Value: bson.D{}},
	}
}

func (e *env) message(id string) contract.DLQMessage {
	e.t.Helper()
	var msg contract.DLQMessage
	if err := e.st.DLQ.Collection().FindOne(ctxT(e.t), bson.D{{Key: "event.event_id", Value: id}}).Decode(&msg); err != nil {
		e.t.Fatalf("load %s: %v", id, err)
	}
	return msg
}

// arrivals counts the records on topic by key (the event id).
func (e *env) arrivals(topic string, want int) map[string]int {
	e.t.Helper()
	recs := testenv.WaitRecords(e.t, testenv.Shared(e.t).KafkaBrokers(), want, 30*time.Second, topic)
	seen := map[string]int{}
	for _, r := range recs {
		seen[string(r.Key)]++
	}
	return seen
}

func (e *env) job(s *Service, id string) *Job {
	e.t.Helper()
	j, err := s.Get(ctxT(e.t), id)
	if err != nil {
		e.t.Fatalf("get job %s: %v", id, err)
	}
	return j
}
