package dlq

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// fixedClock pins the manager's clock so next_retry_at bounds are exact.
func fixedClock() (time.Time, func() time.Time) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return now, func() time.Time { return now }
}

// A DLQ topic full of mixed messages becomes the right documents, statuses,
// next retry times, retries, quarantine entries and notifications; a second
// pass finds nothing new, and re-delivered records change nothing.
func TestProcessOnceMixedTopic(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc-1")
	now, clock := fixedClock()
	m.Now = clock
	failed := now.Add(-time.Minute)
	valid := []string{
		dlqRecord("exec-1", "execution_failed", e.topic("execution_failed"), 0, failed, "KafkaTimeoutError: timed out after 30000ms"),
		dlqRecord("pod-1", "pod_failed", e.topic("pod_failed"), 1, failed, "ValidationError: missing field 'exit_code'"),
		dlqRecord("cmd-1", "create_pod_command", e.topic("create_pod_command"), 0, failed, "boom"),
		dlqRecord("user-1", "user_login", e.topic("user_login"), 0, failed, "boom"),
		dlqRecord("result-1", "result_stored", e.topic("result_stored"), 1, failed, "ConnectionError: refused"),
		dlqRecord("pod-max", "pod_failed", e.topic("pod_failed"), 3, failed, "still failing"),
	}
	dropped := []string{
		dlqRecord("old-1", "pod_failed", e.topic("pod_failed"), 0, now.Add(-8*24*time.Hour), "old"),
		dlqRecord("test-1", "pod_failed", e.topic("pod_failed"), 0, failed, "test"),
	}
	bad := []string{
		`{"event": {"event_id": "x"`,
		`{"event": {"event_type": "pod_failed"}, "original_topic": "t"}`,
		`{"event": {"event_id": "no-topic"}, "error": "e"}`,
	}
	e.produce(append(append(append([]string{}, valid...), dropped...), bad...)...)

	stats, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil {
		t.Fatal(err)
	}
	want := ProcessStats{Received: 6, Dropped: 2, Quarantined: 3, Discarded: 1, Scheduled: 4, Retried: 1}
	if stats != want {
		t.Errorf("stats = %+v\nwant    %+v", stats, want)
	}
	checkScheduled(t, e, now)
	checkImmediateRetry(t, e, now)
	checkDiscardedOnReceipt(t, e)
	for _, id := range []string{"old-1", "test-1"} {
		if e.count("dlq_messages", bson.D{{Key: "event.event_id", Value: id}}) != 0 {
			t.Errorf("%s stored, want dropped", id)
		}
	}
	checkQuarantine(t, e, m)
	checkNotifications(t, e)

	// Offsets were committed: a second pass reads nothing.
	again, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || again != (ProcessStats{}) {
		t.Errorf("second pass = %+v, %v; want nothing new", again, err)
	}

	// Re-delivered records (new offsets, same content) change nothing.
	before := e.snapshot()
	e.produce(valid...)
	re, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || re != (ProcessStats{Duplicates: 6}) {
		t.Errorf("re-delivery = %+v, %v; want 6 duplicates", re, err)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("re-delivery changed documents:\nbefore %s\nafter  %s", before, after)
	}
	if n := e.countTopic(e.topic("result_stored")); n != 1 {
		t.Errorf("result_stored has %d records after re-delivery, want 1", n)
	}
	if n := e.countTopic(e.topic(EventReceived)); n != 6 {
		t.Errorf("%d received notifications after re-delivery, want 6", n)
	}
}

func checkScheduled(t *testing.T, e *env, now time.Time) {
	t.Helper()
	for id, nominal := range map[string]time.Duration{
		"exec-1": 30 * time.Second,  // aggressive, retry_count 0
		"pod-1":  180 * time.Second, // cautious 60s x3^1
		"cmd-1":  30 * time.Second,  // aggressive
		"user-1": 60 * time.Second,  // default
	} {
		msg := e.loadMsg(id)
		if msg.Status != contract.DLQScheduled || msg.NextRetryAt == nil {
			t.Errorf("%s: status %s next %v", id, msg.Status, msg.NextRetryAt)
			continue
		}
		d := msg.NextRetryAt.Sub(now)
		lo, hi := time.Duration(float64(nominal)*0.9)-time.Millisecond, time.Duration(float64(nominal)*1.1)+time.Millisecond
		if d < lo || d > hi {
			t.Errorf("%s: next retry in %v, want %v +/- 10%%", id, d, nominal)
		}
	}
	raw := e.rawMsg("exec-1")
	ev := raw.Lookup("event").Document()
	if ev.Lookup("timestamp").Type != bson.TypeDateTime || ev.Lookup("exit_code").Type != bson.TypeInt32 ||
		ev.Lookup("ratio").Type != bson.TypeDouble || raw.Lookup("failed_at").Type != bson.TypeDateTime ||
		raw.Lookup("retry_count").Type != bson.TypeInt32 || raw.Lookup("dlq_offset").Type != bson.TypeInt32 {
		t.Errorf("stored types wrong: %s", raw)
	}
	msg := e.loadMsg("exec-1")
	if msg.Headers["trace_id"] != "tr-exec-1" || msg.DLQPartition == nil || msg.DLQOffset == nil || msg.ProducerID != "producer-1" {
		t.Errorf("stored fields: %+v", msg)
	}
}

func checkImmediateRetry(t *testing.T, e *env, now time.Time) {
	t.Helper()
	msg := e.loadMsg("result-1")
	if msg.Status != contract.DLQRetried || msg.RetryCount != 2 || msg.RetriedAt == nil || !msg.RetriedAt.Equal(now) {
		t.Errorf("immediate: status %s retry_count %d retried_at %v", msg.Status, msg.RetryCount, msg.RetriedAt)
	}
	recs := readTopic(t, e.topic("result_stored"), 1)
	r := recs[0]
	var v map[string]any
	if err := json.Unmarshal(r.Value, &v); err != nil {
		t.Fatalf("value %s: %v", r.Value, err)
	}
	hs := headerMap(r)
	if string(r.Key) != "result-1" || v["event_id"] != "result-1" || v["exit_code"] != 1.0 || !strings.HasSuffix(v["timestamp"].(string), "Z") {
		t.Errorf("retried record key %s value %s", r.Key, r.Value)
	}
	if hs["trace_id"] != "tr-result-1" || hs[HeaderRetryCount] != "2" || hs[HeaderEventID] != "result-1" || hs[HeaderOriginalTopic] != e.topic("result_stored") || hs[HeaderRedrivenAt] == "" {
		t.Errorf("retried record headers %v", hs)
	}
}

func checkDiscardedOnReceipt(t *testing.T, e *env) {
	t.Helper()
	msg := e.loadMsg("pod-max")
	if msg.Status != contract.DLQDiscarded || msg.DiscardReason == nil || *msg.DiscardReason != ReasonMaxRetries || msg.DiscardedAt == nil {
		t.Errorf("pod-max: %+v", msg)
	}
}

func checkQuarantine(t *testing.T, e *env, m *Manager) {
	t.Helper()
	page, err := m.ListInvalid(ctxT(t), 0, 0)
	inv := page.Items
	if err != nil || page.Total != 3 || len(inv) != 3 {
		t.Fatalf("invalid = %d/%d, %v", len(inv), page.Total, err)
	}
	reasons := map[string]bool{}
	for _, r := range inv {
		reasons[strings.SplitN(r.Reason, ":", 2)[0]] = true
		if r.Topic != m.DLQTopic || len(r.Value) == 0 || r.Headers["from-record"] != "yes" || r.ReceivedAt.IsZero() {
			t.Errorf("quarantined record %+v", r)
		}
	}
	for _, want := range []string{"value is not valid JSON", "missing event.event_id", "missing original_topic"} {
		if !reasons[want] {
			t.Errorf("no quarantine reason %q in %v", want, reasons)
		}
	}
}

func checkNotifications(t *testing.T, e *env) {
	t.Helper()
	received := readTopic(t, e.topic(EventReceived), 6)
	var v map[string]any
	for _, r := range received {
		if string(r.Key) == "pod-1" {
			_ = json.Unmarshal(r.Value, &v)
		}
	}
	md, _ := v["metadata"].(map[string]any)
	if v["dlq_event_id"] != "pod-1" || v["original_topic"] != e.topic("pod_failed") || v["original_event_type"] != "pod_failed" ||
		v["retry_count"] != 1.0 || v["producer_id"] != "producer-1" || v["error"] == nil || v["failed_at"] == nil ||
		v["event_type"] != EventReceived || md["service_name"] != "dlq-manager" || md["environment"] != "production" {
		t.Errorf("received notification = %v", v)
	}
	retried := readTopic(t, e.topic(EventRetried), 1)
	_ = json.Unmarshal(retried[0].Value, &v)
	if v["dlq_event_id"] != "result-1" || v["retry_count"] != 2.0 || v["retry_topic"] != e.topic("result_stored") || v["original_event_type"] != "result_stored" {
		t.Errorf("retried notification = %v", v)
	}
	discarded := readTopic(t, e.topic(EventDiscarded), 1)
	_ = json.Unmarshal(discarded[0].Value, &v)
	if v["dlq_event_id"] != "pod-max" || v["reason"] != ReasonMaxRetries || v["retry_count"] != 3.0 {
		t.Errorf("discarded notification = %v", v)
	}
}

// snapshot renders every stored document, by event id, to compare states.
func (e *env) snapshot() string {
	e.t.Helper()
	docs := testenv.FindAll[bson.Raw](e.t, e.st.DLQ.Collection(), bson.D{}, options.Find().SetSort(bson.D{{Key: "event.event_id", Value: 1}}))
	var b strings.Builder
	for _, d := range docs {
		b.WriteString(d.String())
	}
	return b.String()
}

// A pass over a DLQ topic that does not exist yet ends at once.
func TestProcessOnceEmptyTopic(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc")
	start := time.Now()
	st, err := m.Process(ctxT(t), ProcessOptions{Once: true})
	if err != nil || st != (ProcessStats{}) {
		t.Errorf("stats = %+v, %v", st, err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("empty pass took %v", d)
	}
}
