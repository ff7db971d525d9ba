package dlq

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// A document written by the platform (int32 counters, BSON dates, nulls)
// lists, shows, retries and discards.
func TestPlatformShapedDocument(t *testing.T) {
	e := newEnv(t)
	m := e.manager("op")
	ctx := ctxT(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 123e6, time.UTC)
	topic := e.topic("execution_failed")
	e.insertPlatformDoc("3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8", "execution_failed", topic, contract.DLQScheduled, 2, at, "boom", at.Add(time.Minute))
	e.insertPlatformDoc("5d1c0b9a-8b7d-4e6f-a5b4-c3d2e1f0a9b8", "execution_failed", topic, contract.DLQPending, 0, at, "boom", nil)

	msgs, total, err := m.List(ctx, ListFilter{Topics: []string{topic}})
	if err != nil || total != 2 || len(msgs) != 2 {
		t.Fatalf("list = %d/%d, %v", len(msgs), total, err)
	}
	got, err := m.Get(ctx, "3f2a")
	if err != nil {
		t.Fatal(err)
	}
	if got.RetryCount != 2 || !got.FailedAt.Equal(at) || got.LastUpdated != nil || got.DiscardReason != nil ||
		got.DLQOffset == nil || *got.DLQOffset != 7 || got.Headers["event_type"] != "execution_failed" || got.EventType() != "execution_failed" {
		t.Errorf("get = %+v", got)
	}
	p, err := m.PlanByIDs(ctx, []string{"3f2a"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := m.Retry(ctx, p, BatchOptions{}); err != nil || res.Succeeded != 1 {
		t.Fatalf("retry = %+v, %v", res, err)
	}
	raw := e.rawMsg("3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8")
	if raw.Lookup("status").StringValue() != "retried" || raw.Lookup("retry_count").Type != bson.TypeInt32 || raw.Lookup("retry_count").Int32() != 3 ||
		raw.Lookup("retried_at").Type != bson.TypeDateTime {
		t.Errorf("after retry: %s", raw)
	}
	rec := readTopic(t, topic, 1)[0]
	var v map[string]any
	if err := json.Unmarshal(rec.Value, &v); err != nil || v["timestamp"] != "2025-03-01T11:59:59.123Z" || v["aggregate_id"] != nil ||
		v["metadata"].(map[string]any)["user_id"] != "u" {
		t.Errorf("retried value %s", rec.Value)
	}
	p, err = m.PlanByIDs(ctx, []string{"5d1c"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := m.Discard(ctx, p, "obsolete", BatchOptions{}); err != nil || res.Succeeded != 1 {
		t.Fatalf("discard = %+v, %v", res, err)
	}
	if d := e.loadMsg("5d1c0b9a-8b7d-4e6f-a5b4-c3d2e1f0a9b8"); d.Status != contract.DLQDiscarded {
		t.Errorf("discard: %+v", d)
	}
}

// Malformed documents are skipped by reads, never fatal.
func TestMalformedDocumentsSkipped(t *testing.T) {
	e := newEnv(t)
	m := e.manager("reader")
	ctx := ctxT(t)
	e.insertPlatformDoc("ok-1", "pod_failed", e.topic("pod_failed"), contract.DLQPending, 0, time.Now().UTC(), "boom", nil)
	_, err := e.st.DLQ.Collection().InsertMany(ctx, []any{
		bson.D{{Key: "event", Value: "not a document"}, {Key: "original_topic", Value: 5}},
		bson.D{{Key: "event", Value: bson.D{{Key: "event_id", Value: "bad-count"}}}, {Key: "retry_count", Value: "three"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, _, err := m.List(ctx, ListFilter{})
	if err != nil || len(msgs) != 1 || msgs[0].EventID() != "ok-1" {
		t.Errorf("list = %v, %v", ids(msgs), err)
	}
	topics, err := m.Topics(ctx, ListFilter{})
	if err != nil || len(topics) != 1 {
		t.Errorf("topics = %+v, %v", topics, err)
	}
	if _, err := m.Errors(ctx, ListFilter{}); err != nil {
		t.Errorf("errors: %v", err)
	}
}

// Without Once, Process runs until its context ends, then commits and
// returns nil; what it persisted is not read again.
func TestProcessContinuousStopsCleanly(t *testing.T) {
	e := newEnv(t)
	m := e.manager("daemon")
	group := e.topic("g")
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	done := make(chan error, 1)
	var stats ProcessStats
	go func() {
		var err error
		stats, err = m.Process(ctx, ProcessOptions{Group: group, PollInterval: 100 * time.Millisecond})
		done <- err
	}()
	now := time.Now().UTC()
	e.produce(dlqRecord("c-1", "user_login", e.topic("user_login"), 0, now, "boom"),
		dlqRecord("c-2", "result_failed", e.topic("result_failed"), 0, now, "boom"))
	testenv.Eventually(t, 30*time.Second, func() bool {
		return e.count("dlq_messages", bson.D{}) == 2 && e.countTopic(e.topic("result_failed")) == 1
	}, "messages persisted and the immediate one retried")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Process returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Process did not stop")
	}
	if stats.Received != 2 || stats.Retried != 1 {
		t.Errorf("stats = %+v", stats)
	}
	again, err := m.Process(ctxT(t), ProcessOptions{Group: group, Once: true})
	if err != nil || again.Received != 0 || again.Duplicates != 0 {
		t.Errorf("after restart = %+v, %v", again, err)
	}
}
