package worker

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// insertDocs inserts raw documents into one collection.
func insertDocs(ctx context.Context, t *testing.T, st *store.Store, coll string, docs ...bson.D) {
	t.Helper()
	for _, d := range docs {
		if _, err := st.Database().Collection(coll).InsertOne(ctx, d); err != nil {
			t.Fatalf("insert into %s: %v", coll, err)
		}
	}
}

// dlqValue is a DLQ topic record in the platform's JSON shape.
func dlqValue(t *testing.T, id, eventType, topic string, failedAt time.Time) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"event": map[string]any{"event_id": id, "event_type": eventType, "event_version": "1.0",
			"timestamp": failedAt.Add(-time.Second).Format(time.RFC3339Nano), "aggregate_id": nil,
			"metadata": map[string]any{"service_name": "svc", "service_version": "1", "user_id": "u1", "environment": "production"}},
		"original_topic": topic, "error": "boom", "retry_count": 0,
		"failed_at": failedAt.Format(time.RFC3339Nano), "producer_id": "p-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A worker running replay and DLQ processing on a database where every
// collection it reads holds documents other software wrote with wrong
// types still completes a good session and ingests and retries a good DLQ
// record; it counts the unreadable documents per collection and warns about
// each once, however often it polls.
func TestWorkerKeepsWorkingBesideMalformedDocumentsEverywhere(t *testing.T) {
	db := testenv.Database(t)
	st := store.FromClient(db.Client(), store.Options{Database: db.Name()})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	prefix := testenv.UniqueName(t, "p") + "_"
	now := time.Now().UTC().Truncate(time.Millisecond)
	past := now.Add(-time.Hour)
	resTopic := prefix + "result_stored"
	good := testenv.UniqueName(t, "good")

	// events: two good ones, and two of the session's type that are not events.
	insertDocs(ctx, t, st, "events",
		bson.D{{Key: "event_id", Value: "ev-1"}, {Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: past}},
		bson.D{{Key: "event_id", Value: "ev-2"}, {Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: past.Add(time.Second)}},
		bson.D{{Key: "event_id", Value: "ev-bad-ts"}, {Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: "yesterday"}},
		bson.D{{Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: past.Add(2 * time.Second)}})
	// replay_sessions: a running session whose config is a string.
	insertDocs(ctx, t, st, "replay_sessions", bson.D{{Key: "_id", Value: "bad-session"}, {Key: "session_id", Value: "bad-session"},
		{Key: "status", Value: "running"}, {Key: "config", Value: "everything"}, {Key: "created_at", Value: past}})
	// replay_leases: a live-looking lease whose session_id is a number.
	insertDocs(ctx, t, st, store.LeasesCollection, bson.D{{Key: "_id", Value: "bad-lease"}, {Key: "session_id", Value: int32(5)},
		{Key: "released", Value: false}, {Key: "expires_at", Value: now.Add(time.Hour)}})
	// dlq_messages: a due message with a string retry_count, and a stored
	// message with an _id of another type that a record below fails again.
	insertDocs(ctx, t, st, "dlq_messages",
		bson.D{{Key: "_id", Value: "bad-due"}, {Key: "event", Value: bson.D{{Key: "event_id", Value: "bad-due"}, {Key: "event_type", Value: "pod_failed"}}},
			{Key: "original_topic", Value: prefix + "pod_failed"}, {Key: "status", Value: "scheduled"}, {Key: "retry_count", Value: "three"},
			{Key: "next_retry_at", Value: past}, {Key: "failed_at", Value: past}},
		bson.D{{Key: "_id", Value: "bad-stored"}, {Key: "event", Value: bson.D{{Key: "event_id", Value: "refail-1"}, {Key: "event_type", Value: "result_stored"}}},
			{Key: "retry_count", Value: "x"}})
	// DLQ coordination: a claim on the good record's immediate retry that
	// cannot be read, a journal entry and an override that cannot either,
	// and a quarantine entry of another shape.
	insertDocs(ctx, t, st, store.DLQClaimsCollection, bson.D{{Key: "_id", Value: good + ":0"}, {Key: "key", Value: good + ":0"}, {Key: "expires_at", Value: "never"}})
	insertDocs(ctx, t, st, store.DLQPendingSendsCollection, bson.D{{Key: "_id", Value: "bad-send"}, {Key: "round", Value: "one"}, {Key: "created_at", Value: past}})
	insertDocs(ctx, t, st, store.DLQPoliciesCollection, bson.D{{Key: "_id", Value: resTopic}, {Key: "max_retries", Value: "many"}})
	insertDocs(ctx, t, st, store.DLQInvalidCollection, bson.D{{Key: "_id", Value: "bad-invalid"}, {Key: "topic", Value: int32(5)}})

	logs := &testenv.SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m := NewMetrics()
	brokers := testenv.Shared(t).KafkaBrokers()
	svc := &replay.Service{Store: st, Owner: "worker-test", LeaseTTL: 3 * time.Second}
	mgr := &dlq.Manager{Store: st, Kafka: testenv.Kafka(t), TopicPrefix: prefix, DLQTopic: prefix + contract.DefaultDLQTopic,
		Owner: "worker-test", Logger: logger, Metrics: m.DLQ(),
		NewConsumer: func(opts ...kgo.Opt) (*kgo.Client, error) {
			return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation()}, opts...)...)
		}}
	opts := fastOptions()
	opts.PollInterval, opts.Group = 20*time.Millisecond, prefix+"g"
	w := &Worker{Replay: svc, DLQ: mgr, Metrics: m, Logger: logger, Options: opts}

	sess, err := svc.Create(ctx, replay.Spec{Types: []string{"user_login"}, DryRun: true}, "test")
	if err != nil {
		t.Fatal(err)
	}
	// replay_requests: a request for the good session whose action is a number.
	insertDocs(ctx, t, st, store.RequestsCollection, bson.D{{Key: "_id", Value: "bad-request"}, {Key: "session_id", Value: sess.SessionID},
		{Key: "action", Value: int32(1)}, {Key: "requested_at", Value: past}})
	if _, err := svc.Start(ctx, sess.SessionID); err != nil {
		t.Fatal(err)
	}
	producer := testenv.Kafka(t)
	if err := producer.ProduceSync(ctx,
		&kgo.Record{Topic: mgr.DLQTopic, Value: dlqValue(t, good, "result_stored", resTopic, now.Add(-time.Minute))},
		&kgo.Record{Topic: mgr.DLQTopic, Value: dlqValue(t, "refail-1", "result_stored", resTopic, now.Add(-time.Minute))},
	).FirstErr(); err != nil {
		t.Fatal(err)
	}
	stop := runWorker(t, w)

	var got *contract.Session
	waitFor(t, 90*time.Second, func() bool {
		got, err = st.Sessions.Get(ctx, sess.SessionID)
		return err == nil && got.Status == contract.StatusCompleted
	}, "the good session completed by the worker")
	if got.ReplayedEvents != 2 || got.SkippedEvents != 2 {
		t.Errorf("session replayed %d, skipped %d events; want 2 and 2", got.ReplayedEvents, got.SkippedEvents)
	}
	waitFor(t, 90*time.Second, func() bool {
		var msg contract.DLQMessage
		err := st.DLQ.Collection().FindOne(ctx, bson.D{{Key: "event.event_id", Value: good}}).Decode(&msg)
		return err == nil && msg.Status == contract.DLQRetried && msg.RetryCount == 1
	}, "the good DLQ record ingested and retried")
	if recs := testenv.WaitRecords(t, brokers, 1, 30*time.Second, resTopic); len(recs) != 1 || string(recs[0].Key) != good {
		t.Errorf("%d records on %s, want the good one once", len(recs), resTopic)
	}
	skipped := func(coll string) float64 {
		v, _ := value(t, m.Registry(), "replayctl_documents_skipped_total", map[string]string{"collection": coll})
		return v
	}
	colls := []string{"replay_sessions", store.LeasesCollection, "dlq_messages", store.DLQClaimsCollection,
		store.DLQPendingSendsCollection, store.DLQPoliciesCollection}
	uncounted := func() []string {
		var out []string
		for _, c := range colls {
			if skipped(c) == 0 {
				out = append(out, c)
			}
		}
		return out
	}
	for deadline := time.Now().Add(30 * time.Second); len(uncounted()) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no unreadable document counted in %v within 30s", uncounted())
		}
	}
	// The record failing the unreadable stored message again is kept in
	// quarantine, naming that document, beside the foreign entry there.
	if n, err := st.Database().Collection(store.DLQInvalidCollection).CountDocuments(ctx,
		bson.D{{Key: "reason", Value: bson.D{{Key: "$regex", Value: "_id bad-stored"}}}}); err != nil || n != 1 {
		t.Errorf("%d quarantine entries naming bad-stored, %v; want 1", n, err)
	}
	if n := testenv.CountRecords(t, brokers, resTopic); n != 1 {
		t.Errorf("%d records on %s, want 1 (never sent twice)", n, resTopic)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, id := range []string{"bad-session", "bad-lease", "bad-due", "bad-stored", good + ":0", "bad-send", resTopic} {
		if n := strings.Count(out, "_id="+id+" "); n != 1 {
			t.Errorf("warned %d times about _id %s, want once", n, id)
		}
	}
	if t.Failed() {
		t.Logf("worker log:\n%s", out)
	}
}
