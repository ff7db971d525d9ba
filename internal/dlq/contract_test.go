package dlq

import (
	"encoding/json"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract/contracttest"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// Everything the DLQ work writes, captured from FerretDB and kfake, has
// every field the contract requires with the contract's types: the stored
// dlq_messages documents (new, re-failed, retried, discarded on receipt and
// by hand) and every notification record of the three kinds.
func TestWrittenRecordsMeetTheContract(t *testing.T) {
	e := newEnv(t)
	m := e.manager("contract")
	m.Environment = "staging"
	ctx := ctxT(t)
	failed := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	noUser := map[string]any{
		"event":          map[string]any{"event_id": "no-user", "event_type": "user_login", "metadata": map[string]any{"service_name": "svc"}},
		"original_topic": e.topic("user_login"), "failed_at": failed.Format(time.RFC3339Nano),
	}
	bare, _ := json.Marshal(noUser) // no error, producer_id, retry_count, headers, user_id
	e.produce(
		dlqRecord("sched-1", "execution_failed", e.topic("execution_failed"), 0, failed, "boom"),
		dlqRecord("sched-2", "pod_failed", e.topic("pod_failed"), 1, failed, "boom"),
		dlqRecord("now-1", "result_stored", e.topic("result_stored"), 0, failed, "boom"),
		dlqRecord("max-1", "pod_failed", e.topic("pod_failed"), 3, failed, "boom"),
		string(bare),
	)
	if _, err := m.Process(ctx, ProcessOptions{Once: true, Group: e.topic("g")}); err != nil {
		t.Fatal(err)
	}
	// sched-2 fails again later: the stored message takes the new failure.
	e.produce(dlqRecord("sched-2", "pod_failed", e.topic("pod_failed"), 1, failed.Add(time.Second), "boom again"))
	if _, err := m.Process(ctx, ProcessOptions{Once: true, Group: e.topic("g")}); err != nil {
		t.Fatal(err)
	}
	plan, err := m.PlanByIDs(ctx, []string{"sched-1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := m.Retry(ctx, plan, BatchOptions{}); err != nil || res.Succeeded != 1 {
		t.Fatalf("retry: %+v, %v", res, err)
	}
	if plan, err = m.PlanByIDs(ctx, []string{"no-user"}, ""); err != nil {
		t.Fatal(err)
	}
	if res, err := m.Discard(ctx, plan, "not needed", BatchOptions{}); err != nil || res.Succeeded != 1 {
		t.Fatalf("discard: %+v, %v", res, err)
	}

	checkStoredDocs(t, e, 5)
	checkNotificationRecords(t, e, EventReceived, contracttest.DLQMessageReceived, 6)
	checkNotificationRecords(t, e, EventRetried, contracttest.DLQMessageRetried, 2)
	checkNotificationRecords(t, e, EventDiscarded, contracttest.DLQMessageDiscarded, 2)
}

func checkStoredDocs(t *testing.T, e *env, want int) {
	t.Helper()
	docs := testenv.FindAll[bson.Raw](t, e.st.DLQ.Collection(), bson.D{})
	if len(docs) != want {
		t.Fatalf("%d stored messages, want %d", len(docs), want)
	}
	for _, d := range docs {
		for _, err := range contracttest.CheckBSON(contracttest.DLQMessage, d) {
			t.Errorf("%s: %v", d.Lookup("event", "event_id"), err)
		}
	}
}

func checkNotificationRecords(t *testing.T, e *env, eventType string, s contracttest.Schema, want int) {
	t.Helper()
	recs := readTopic(t, e.topic(eventType), want)
	if len(recs) != want {
		t.Errorf("%d %s records, want %d", len(recs), eventType, want)
	}
	for _, r := range recs {
		for _, err := range contracttest.CheckJSON(s, r.Value) {
			t.Errorf("%s for %s: %v", eventType, r.Key, err)
		}
		var v struct {
			Metadata map[string]any `json:"metadata"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatal(err)
		}
		if v.Metadata["environment"] != "staging" {
			t.Errorf("%s for %s: environment %v, want the deployment's (staging)", eventType, r.Key, v.Metadata["environment"])
		}
		if string(r.Key) != "no-user" && v.Metadata["user_id"] != "u1" {
			t.Errorf("%s for %s: user_id %v, want the failed event's (u1)", eventType, r.Key, v.Metadata["user_id"])
		}
	}
}

// A record without error or producer_id is stored with the platform's
// DLQMessage defaults, which dlq_message_received then carries.
func TestMissingErrorAndProducerTakeThePlatformDefaults(t *testing.T) {
	e := newEnv(t)
	m := e.manager("defaults")
	e.produce(`{"event": {"event_id": "bare-1", "event_type": "user_login"}, "original_topic": "` + e.topic("user_login") + `"}`)
	if _, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")}); err != nil {
		t.Fatal(err)
	}
	msg := e.loadMsg("bare-1")
	if msg.Error != "Unknown error" || msg.ProducerID != "unknown" {
		t.Errorf("stored error %q producer_id %q", msg.Error, msg.ProducerID)
	}
	var v map[string]any
	if err := json.Unmarshal(readTopic(t, e.topic(EventReceived), 1)[0].Value, &v); err != nil {
		t.Fatal(err)
	}
	if v["error"] != "Unknown error" || v["producer_id"] != "unknown" {
		t.Errorf("dlq_message_received error %v producer_id %v", v["error"], v["producer_id"])
	}
}
