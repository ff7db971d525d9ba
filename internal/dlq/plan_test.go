package dlq

import (
	"encoding/json"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/contract/contracttest"
	"github.com/integr8scode/replayctl/internal/fault"
)

func msgOf(id, topic string, st contract.DLQStatus, retries int64) contract.DLQMessage {
	ev, _ := bson.Marshal(bson.D{{Key: "event_id", Value: id}, {Key: "event_type", Value: "pod_failed"},
		{Key: "timestamp", Value: t0}, {Key: "stored_at", Value: t0}, {Key: "n", Value: int32(1)}})
	return contract.DLQMessage{Event: ev, OriginalTopic: topic, Status: st, RetryCount: retries,
		Headers: map[string]string{"trace": "abc", HeaderEventID: "spoofed"}, FailedAt: t0}
}

func TestBuildPlan(t *testing.T) {
	msgs := []contract.DLQMessage{
		msgOf("a", "t1", contract.DLQScheduled, 0),
		msgOf("b", "t2", contract.DLQPending, 1),
		msgOf("c", "t1", contract.DLQRetried, 2),
		msgOf("a", "t1", contract.DLQScheduled, 0), // two prefixes naming one message
		msgOf("d", "t1", contract.DLQDiscarded, 0),
	}
	p := buildPlan(msgs, "")
	if len(p.Messages) != 2 || p.ByTopic["t1"] != 1 || p.ByTopic["t2"] != 1 {
		t.Errorf("eligible = %d, by topic %v", len(p.Messages), p.ByTopic)
	}
	if len(p.Refused) != 2 || p.Refused[0].EventID != "c" || p.Refused[0].Status != contract.DLQRetried || p.Refused[1].EventID != "d" {
		t.Errorf("refused = %+v", p.Refused)
	}
	p = buildPlan(msgs, "elsewhere")
	if len(p.ByTopic) != 1 || p.ByTopic["elsewhere"] != 2 {
		t.Errorf("to-topic counts = %v", p.ByTopic)
	}
}

func TestPlanInputValidation(t *testing.T) {
	m := &Manager{}
	if _, err := m.PlanByIDs(t.Context(), []string{" ", ""}, ""); fault.KindOf(err) != fault.Invalid {
		t.Errorf("no ids: %v", err)
	}
	if _, err := m.PlanByIDs(t.Context(), []string{"x"}, "bad topic!"); fault.KindOf(err) != fault.Invalid {
		t.Errorf("bad topic: %v", err)
	}
	if _, err := m.Retry(t.Context(), &Plan{}, BatchOptions{Rate: -1}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("negative rate: %v", err)
	}
	if _, err := m.Discard(t.Context(), &Plan{}, "  ", BatchOptions{}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("empty reason: %v", err)
	}
	if _, _, err := m.List(t.Context(), ListFilter{Statuses: []contract.DLQStatus{"lost"}}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("bad status: %v", err)
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	m := &Manager{} // no store, no Kafka: a dry run must touch neither
	p := buildPlan([]contract.DLQMessage{msgOf("a", "t1", contract.DLQScheduled, 1), msgOf("c", "t1", contract.DLQRetried, 2)}, "")
	res, err := m.Retry(t.Context(), p, BatchOptions{DryRun: true, ToTopic: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded != 1 || res.Refused != 1 || res.Results[0].Topic != "other" || res.Results[0].RetryCount != 2 {
		t.Errorf("dry run = %+v", res)
	}
}

func TestRetryRecord(t *testing.T) {
	msg := msgOf("ev-1", "p_pod_failed", contract.DLQScheduled, 2)
	rec, err := retryRecord(&msg, "p_pod_failed", t0, false)
	if err != nil {
		t.Fatal(err)
	}
	if string(rec.Key) != "ev-1" || rec.Topic != "p_pod_failed" {
		t.Errorf("key %s topic %s", rec.Key, rec.Topic)
	}
	want := `{"event_id":"ev-1","event_type":"pod_failed","timestamp":"2025-03-01T12:00:00.000Z","n":1}`
	if string(rec.Value) != want {
		t.Errorf("value = %s\nwant    %s", rec.Value, want)
	}
	hs := map[string]string{}
	for _, h := range rec.Headers {
		if _, dup := hs[h.Key]; dup {
			t.Errorf("header %s twice", h.Key)
		}
		hs[h.Key] = string(h.Value)
	}
	if hs["trace"] != "abc" || hs[HeaderRetryCount] != "3" || hs[HeaderEventID] != "ev-1" ||
		hs[HeaderOriginalTopic] != "p_pod_failed" || hs[HeaderRedrivenAt] != "2025-03-01T12:00:00.000Z" {
		t.Errorf("headers = %v", hs)
	}
}

func TestNotificationShape(t *testing.T) {
	m := &Manager{TopicPrefix: "p_", Environment: "staging"}
	msg := msgOf("ev-1", "p_pod_failed", contract.DLQScheduled, 2)
	msg.Event, _ = bson.Marshal(bson.D{{Key: "event_id", Value: "ev-1"}, {Key: "event_type", Value: "pod_failed"},
		{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "k8s-worker"}, {Key: "user_id", Value: "user-42"}}}})
	msg.Error, msg.ProducerID = "boom", "prod-1"
	rec, err := m.notification(EventReceived, &msg, t0, receivedFields(&msg))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Topic != "p_dlq_message_received" || string(rec.Key) != "ev-1" {
		t.Errorf("topic %s key %s", rec.Topic, rec.Key)
	}
	var v map[string]any
	if err := json.Unmarshal(rec.Value, &v); err != nil {
		t.Fatal(err)
	}
	md := v["metadata"].(map[string]any)
	if len(v["event_id"].(string)) != 36 || v["event_type"] != EventReceived || v["event_version"] != "1.0" ||
		v["timestamp"] != "2025-03-01T12:00:00.000Z" || md["service_name"] != "dlq-manager" ||
		md["service_version"] != "1.0.0" || md["user_id"] != "user-42" || md["environment"] != "staging" {
		t.Errorf("common fields = %v", v)
	}
	if v["dlq_event_id"] != "ev-1" || v["original_topic"] != "p_pod_failed" || v["original_event_type"] != "pod_failed" ||
		v["error"] != "boom" || v["retry_count"] != 2.0 || v["producer_id"] != "prod-1" || v["failed_at"] != "2025-03-01T12:00:00.000Z" {
		t.Errorf("received fields = %v", v)
	}
	if errs := contracttest.CheckJSON(contracttest.DLQMessageReceived, rec.Value); len(errs) != 0 {
		t.Errorf("contract: %v", errs)
	}
}

// A failed event without a string metadata.user_id still gets a string in
// the notification: a fresh UUID, as the platform's EventMetadata default.
func TestNotificationUserIDFallback(t *testing.T) {
	m := &Manager{}
	for _, meta := range []any{nil, bson.D{{Key: "user_id", Value: nil}}, bson.D{{Key: "user_id", Value: int32(7)}}} {
		msg := msgOf("ev-1", "p_pod_failed", contract.DLQScheduled, 0)
		msg.Event, _ = bson.Marshal(bson.D{{Key: "event_id", Value: "ev-1"}, {Key: "event_type", Value: "pod_failed"}, {Key: "metadata", Value: meta}})
		rec, err := m.notification(EventDiscarded, &msg, t0, discardedFields(&msg, ReasonMaxRetries))
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Metadata struct {
				UserID any `json:"user_id"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(rec.Value, &v); err != nil {
			t.Fatal(err)
		}
		if id, ok := v.Metadata.UserID.(string); !ok || len(id) != 36 {
			t.Errorf("metadata %v: user_id = %#v, want a UUID string", meta, v.Metadata.UserID)
		}
		if errs := contracttest.CheckJSON(contracttest.DLQMessageDiscarded, rec.Value); len(errs) != 0 {
			t.Errorf("metadata %v: contract: %v", meta, errs)
		}
	}
}
