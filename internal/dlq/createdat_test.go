package dlq

import (
	"encoding/json"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// withCreatedAt adds a created_at in the platform's record format.
func withCreatedAt(record string, at time.Time) string {
	var v map[string]any
	_ = json.Unmarshal([]byte(record), &v)
	v["created_at"] = at.Format("2006-01-02T15:04:05.000000")
	b, _ := json.Marshal(v)
	return string(b)
}

// TestNewFailureResetsCreatedAt: the platform replaces a stored message on
// every receipt, so its 7-day TTL on created_at counts from the latest
// failure. A stored message six days old that fails again must take the
// record's created_at, or now when the record has none; otherwise the TTL
// deletes it a day later with retries still scheduled. Its count of failed
// sends belongs to the old failure and goes.
func TestNewFailureResetsCreatedAt(t *testing.T) {
	e, m, now, _, later := refailSetup(t, "proc")
	topic := e.topic("pod_failed")
	sixDays := now.Add(-6 * 24 * time.Hour)
	recordCreated := now.Add(-30 * time.Second)
	for _, id := range []string{"ca-none", "ca-record"} {
		e.insertPlatformDoc(id, "pod_failed", topic, contract.DLQRetried, 1, sixDays, "old boom", nil)
		_, err := e.st.DLQ.Collection().UpdateOne(ctxT(t), bson.D{{Key: "event.event_id", Value: id}},
			bson.D{{Key: "$set", Value: bson.D{{Key: SendFailuresField, Value: int32(4)}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	e.produce(dlqRecord("ca-none", "pod_failed", topic, 1, later, "new boom"),
		withCreatedAt(dlqRecord("ca-record", "pod_failed", topic, 1, later, "new boom"), recordCreated))

	if st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")}); err != nil || st.Received != 2 {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	for id, want := range map[string]time.Time{"ca-none": now, "ca-record": recordCreated} {
		msg := e.loadMsg(id)
		if msg.Status != contract.DLQScheduled || !msg.CreatedAt.Equal(want) {
			t.Errorf("%s: %s created_at %v, want scheduled created_at %v", id, msg.Status, msg.CreatedAt, want)
		}
		if _, err := e.rawMsg(id).LookupErr("replayctl", "send_failures"); err == nil {
			t.Errorf("%s: %s kept from the previous failure", id, SendFailuresField)
		}
	}
}

// TestFirstReceiptTakesRecordCreatedAt: a new message keeps the record's
// created_at, as the platform's model does.
func TestFirstReceiptTakesRecordCreatedAt(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc")
	now, clock := fixedClock()
	m.Now = clock
	created := now.Add(-2 * time.Hour)
	e.produce(withCreatedAt(dlqRecord("first-ca", "pod_failed", e.topic("pod_failed"), 0, now.Add(-time.Minute), "boom"), created))
	if _, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")}); err != nil {
		t.Fatal(err)
	}
	if got := e.loadMsg("first-ca").CreatedAt; !got.Equal(created) {
		t.Errorf("created_at %v, want the record's %v", got, created)
	}
	if typ := e.rawMsg("first-ca").Lookup("created_at").Type; typ != bson.TypeDateTime {
		t.Errorf("created_at stored as %v, want a date", typ)
	}
}
