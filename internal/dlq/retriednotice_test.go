package dlq

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// The contract requires dlq_message_retried for every message marked
// retried. When recording a failed send of the same chunk fails (here: a
// foreign `replayctl` field that is not a document, so the server refuses
// $set replayctl.send_failures), the messages already sent and marked
// retried are still announced, and the failure is still returned.
func TestRetriedAreNotifiedWhenRecordingAFailureFails(t *testing.T) {
	e := newEnv(t)
	good := e.topic("pod_failed")
	m, brokers, _ := e.strictManager(good)
	e.insertDue("sent-1", 0)
	past := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	e.insertPlatformDoc("junk-1", "pod_failed", e.topic("no_such_topic"), contract.DLQScheduled, 0, past, "boom", past)
	if _, err := e.st.DLQ.Collection().UpdateOne(ctxT(t), bson.D{{Key: "event.event_id", Value: "junk-1"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "replayctl", Value: "not a document"}}}}); err != nil {
		t.Fatal(err)
	}

	n, err := m.RetryDue(ctxT(t))
	if err == nil {
		t.Fatalf("RetryDue = %d, nil: recording the failure was expected to fail (the server accepted $set on a field of a string)", n)
	}
	t.Logf("RetryDue: %d, %v", n, err)
	if msg := e.loadMsg("sent-1"); msg.Status != contract.DLQRetried || msg.RetryCount != 1 {
		t.Fatalf("sent-1 is %s with retry_count %d, want retried 1", msg.Status, msg.RetryCount)
	}
	if got := testenv.CountRecords(t, brokers, e.topic(EventRetried)); got != 1 {
		t.Errorf("%d dlq_message_retried notifications, want 1 for the message marked retried", got)
	}
}
