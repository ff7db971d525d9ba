package dlq

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// SelectGroup keeps the group's pending and scheduled messages, newest
// failure first up to the limit, counts all of them, and skips a document
// it cannot read.
func TestSelectGroupNewestRetryableMembersUpToTheLimit(t *testing.T) {
	e := newEnv(t)
	m := e.manager("o")
	now := time.Now().UTC().Truncate(time.Millisecond)
	topic := e.topic("pod_failed")
	ids := []string{testenv.UUID(), testenv.UUID(), testenv.UUID(), testenv.UUID(), testenv.UUID()}
	e.insertPlatformDoc(ids[0], "pod_failed", topic, contract.DLQPending, 0, now.Add(-3*time.Minute), "dial 10.0.0.1:80: refused", nil)
	e.insertPlatformDoc(ids[1], "pod_failed", topic, contract.DLQScheduled, 0, now.Add(-2*time.Minute), "dial 10.0.0.2:80: refused", nil)
	e.insertPlatformDoc(ids[2], "pod_failed", topic, contract.DLQPending, 0, now.Add(-time.Minute), "dial 10.0.0.3:80: refused", nil)
	e.insertPlatformDoc(ids[3], "pod_failed", topic, contract.DLQRetried, 0, now, "dial 10.0.0.4:80: refused", nil)
	e.insertPlatformDoc(ids[4], "pod_failed", topic, contract.DLQPending, 0, now, "out of memory", nil)
	if _, err := e.st.DLQ.Collection().InsertOne(ctxT(t), bson.D{{Key: "status", Value: "pending"}, {Key: "error", Value: 7}}); err != nil {
		t.Fatal(err)
	}
	pattern := NormalizeError("dial 10.0.0.9:80: refused")

	sel, err := m.SelectGroup(ctxT(t), pattern, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sel.Matched != 3 || len(sel.EventIDs) != 2 || sel.EventIDs[0] != ids[2] || sel.EventIDs[1] != ids[1] {
		t.Errorf("selection %v, matched %d; want the 2 newest of 3", sel.EventIDs, sel.Matched)
	}
	if len(sel.Skipped) != 1 {
		t.Errorf("skipped %v, want the unreadable document", sel.Skipped)
	}
	if all, err := m.SelectGroup(ctxT(t), pattern, 0); err != nil || len(all.EventIDs) != 3 {
		t.Errorf("no limit: %v, %v", all, err)
	}
}
