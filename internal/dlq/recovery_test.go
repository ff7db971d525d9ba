package dlq

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// An immediate retry journalled but never acknowledged (the process died
// between storing the message as retried and the send) is sent by RetryDue
// once the claim lease has passed; a journal entry whose message no longer
// shows that retry is just cleared.
func TestRetryDueRedoesJournalledSends(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc")
	ctx := ctxT(t)
	old := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	topic := e.topic("result_stored")
	e.insertPlatformDoc("lost-send", "result_stored", topic, contract.DLQRetried, 1, old, "boom", nil)
	e.insertPlatformDoc("moved-on", "result_stored", topic, contract.DLQDiscarded, 0, old, "boom", nil)
	_, err := e.st.DLQPendingSends().Collection().InsertMany(ctx, []any{
		pendingSend{ID: "lost-send:0", EventID: "lost-send", Round: 0, Topic: topic, Owner: "dead", CreatedAt: old},
		pendingSend{ID: "moved-on:0", EventID: "moved-on", Round: 0, Topic: topic, Owner: "dead", CreatedAt: old},
		pendingSend{ID: "fresh:0", EventID: "fresh", Round: 0, Topic: topic, Owner: "alive", CreatedAt: time.Now().UTC()},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := m.RetryDue(ctx)
	if err != nil || n != 1 {
		t.Fatalf("RetryDue = %d, %v", n, err)
	}
	rec := readTopic(t, topic, 1)[0]
	if string(rec.Key) != "lost-send" || headerMap(rec)[HeaderRetryCount] != "1" {
		t.Errorf("redone send: key %s headers %v", rec.Key, headerMap(rec))
	}
	if left := e.count(PendingSendsCollection, bson.D{}); left != 1 {
		t.Errorf("%d journal entries left, want only the live one", left)
	}
}

func TestCleanupClaimsKeepsLiveOnes(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc")
	ctx := ctxT(t)
	if _, err := m.claimAll(ctx, []string{"a", "b"}, []int64{0, 0}, purposeRetry); err != nil {
		t.Fatal(err)
	}
	later := e.manager("later")
	later.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if n, err := m.cleanupClaims(ctx); err != nil || n != 0 {
		t.Errorf("cleanup of live claims = %d, %v", n, err)
	}
	if n, err := later.cleanupClaims(ctx); err != nil || n != 2 {
		t.Errorf("cleanup of expired claims = %d, %v", n, err)
	}
	// The round can be claimed afresh afterwards.
	set, err := m.claimAll(ctx, []string{"a"}, []int64{0}, purposeRetry)
	if err != nil || !set.has("a:0") {
		t.Errorf("re-claim = %+v, %v", set, err)
	}
}

// An immediate retry whose send fails is stored scheduled (due now) with the
// error, and RetryDue sends it once the broker accepts it.
func TestImmediateRetryFailureRollsBack(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc")
	ctx := ctxT(t)
	strict, err := kgo.NewClient(kgo.SeedBrokers(testenv.Shared(t).KafkaBrokers()...), kgo.RecordDeliveryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(strict.Close)
	m.Kafka = strict // cannot create the missing topics
	topic := e.topic("result_failed")
	e.produce(dlqRecord("imm-1", "result_failed", topic, 0, time.Now().UTC(), "boom"))
	st, err := m.Process(ctx, ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || st.Received != 1 || st.RetryFailed != 1 || st.Scheduled != 1 || st.Retried != 0 {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	msg := e.loadMsg("imm-1")
	if msg.Status != contract.DLQScheduled || msg.RetryCount != 0 || msg.RetriedAt != nil || msg.LastError == nil || msg.NextRetryAt == nil {
		t.Errorf("after failed immediate retry: %+v", msg)
	}
	if e.count(ClaimsCollection, bson.D{}) != 0 || e.count(PendingSendsCollection, bson.D{}) != 0 {
		t.Error("claims or journal entries left behind")
	}
	m.Kafka = e.kafka
	if n, err := m.RetryDue(ctx); err != nil || n != 1 {
		t.Errorf("RetryDue = %d, %v", n, err)
	}
	if msg := e.loadMsg("imm-1"); msg.Status != contract.DLQRetried || msg.RetryCount != 1 {
		t.Errorf("after RetryDue: %+v", msg)
	}
}
