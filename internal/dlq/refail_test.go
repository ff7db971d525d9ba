package dlq

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// refailSetup is a manager with a pinned clock and the two failure times
// the re-failure tests use: the stored one and a later one.
func refailSetup(t *testing.T, owner string) (e *env, m *Manager, now, stored, later time.Time) {
	e = newEnv(t)
	m = e.manager(owner)
	now, m.Now = fixedClock()
	return e, m, now, now.Add(-time.Hour), now.Add(-time.Minute)
}

func strOf(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// A retried message that fails again is scheduled by the policy with the
// new failure, keeps its _id, takes created_at = now (the record has none,
// as the platform does) and is announced once.
func TestProcessRefailureReschedules(t *testing.T) {
	e, m, now, t0, t1 := refailSetup(t, "proc")
	topic := e.topic("pod_failed")
	e.insertPlatformDoc("re-1", "pod_failed", topic, contract.DLQRetried, 1, t0, "old boom", nil)
	before := e.loadMsg("re-1")
	e.produce(dlqRecord("re-1", "pod_failed", topic, 1, t1, "new boom"))

	st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || st != (ProcessStats{Received: 1, Scheduled: 1}) {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	msg := e.loadMsg("re-1")
	if msg.Status != contract.DLQScheduled || msg.RetryCount != 1 || msg.Error != "new boom" || strOf(msg.LastError) != "old boom" ||
		!msg.FailedAt.Equal(t1) || msg.RetriedAt != nil || msg.DiscardedAt != nil || msg.DiscardReason != nil {
		t.Errorf("after re-failure: %+v", msg)
	}
	if msg.ID != before.ID || !msg.CreatedAt.Equal(now) || msg.LastUpdated == nil || !msg.LastUpdated.Equal(now) {
		t.Errorf("identity or bookkeeping: id %v/%v created %v (was %v, want %v) updated %v", msg.ID, before.ID, msg.CreatedAt, before.CreatedAt, now, msg.LastUpdated)
	}
	if msg.DLQOffset == nil || *msg.DLQOffset != 0 || msg.ProducerID != "producer-1" || msg.Headers["trace_id"] != "tr-re-1" {
		t.Errorf("record fields not taken: offset %v producer %q headers %v", msg.DLQOffset, msg.ProducerID, msg.Headers)
	}
	// cautious: 60s x 3^1 = 180s, +/- 10%
	if msg.NextRetryAt == nil || msg.NextRetryAt.Sub(now) < 162*time.Second || msg.NextRetryAt.Sub(now) > 198*time.Second {
		t.Errorf("next_retry_at %v, want now+180s +/- 10%%", msg.NextRetryAt)
	}
	if raw := e.rawMsg("re-1"); raw.Lookup("retry_count").Type != bson.TypeInt32 || raw.Lookup("failed_at").Type != bson.TypeDateTime {
		t.Errorf("stored types: %s", raw)
	}
	var v map[string]any
	_ = json.Unmarshal(readTopic(t, e.topic(EventReceived), 1)[0].Value, &v)
	if v["dlq_event_id"] != "re-1" || v["error"] != "new boom" || v["retry_count"] != 1.0 {
		t.Errorf("received notification %v", v)
	}
	if n := e.countTopic(e.topic(EventReceived)); n != 1 {
		t.Errorf("%d received notifications, want 1", n)
	}
	if n := e.count(ClaimsCollection, bson.D{}); n != 0 {
		t.Errorf("%d claims left, want 0", n)
	}
}

// A message that fails again with no retries left is discarded.
func TestProcessRefailureAtMaxDiscards(t *testing.T) {
	e, m, now, t0, t1 := refailSetup(t, "proc")
	topic := e.topic("pod_failed")
	e.insertPlatformDoc("re-max", "pod_failed", topic, contract.DLQRetried, 3, t0, "old boom", nil)
	e.produce(dlqRecord("re-max", "pod_failed", topic, 3, t1, "still failing"))

	st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || st != (ProcessStats{Received: 1, Discarded: 1}) {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	msg := e.loadMsg("re-max")
	if msg.Status != contract.DLQDiscarded || strOf(msg.DiscardReason) != ReasonMaxRetries || msg.DiscardedAt == nil || !msg.DiscardedAt.Equal(now) ||
		msg.NextRetryAt != nil || msg.RetriedAt != nil || msg.Error != "still failing" || strOf(msg.LastError) != "old boom" || msg.RetryCount != 3 {
		t.Errorf("after re-failure at max: %+v", msg)
	}
	var v map[string]any
	_ = json.Unmarshal(readTopic(t, e.topic(EventDiscarded), 1)[0].Value, &v)
	if v["dlq_event_id"] != "re-max" || v["reason"] != ReasonMaxRetries {
		t.Errorf("discarded notification %v", v)
	}
	if r, d := e.countTopic(e.topic(EventReceived)), e.countTopic(e.topic(EventDiscarded)); r != 1 || d != 1 {
		t.Errorf("%d received, %d discarded notifications; want 1 and 1", r, d)
	}
}

// Re-delivered records (same failed_at) and older failures change nothing,
// byte for byte, whatever the stored status, and announce nothing.
func TestProcessRedeliveryChangesNothing(t *testing.T) {
	e, m, _, t0, t1 := refailSetup(t, "proc")
	pod, res := e.topic("pod_failed"), e.topic("result_stored")
	first := []string{
		dlqRecord("rd-sched", "pod_failed", pod, 0, t1, "boom"),
		dlqRecord("rd-imm", "result_stored", res, 0, t1, "boom"), // retried on receipt
	}
	e.produce(first...)
	if st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")}); err != nil || st.Received != 2 || st.Retried != 1 {
		t.Fatalf("first pass = %+v, %v", st, err)
	}
	e.insertPlatformDoc("rd-older", "pod_failed", pod, contract.DLQRetried, 1, t1, "newer", nil)
	before := map[string]bson.Raw{}
	for _, id := range []string{"rd-sched", "rd-imm", "rd-older"} {
		before[id] = e.rawMsg(id)
	}
	e.produce(append(first, dlqRecord("rd-older", "pod_failed", pod, 0, t0, "older"))...)
	st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || st != (ProcessStats{Duplicates: 3}) {
		t.Fatalf("re-delivery = %+v, %v; want 3 duplicates", st, err)
	}
	for id, raw := range before {
		if after := e.rawMsg(id); !bytes.Equal(after, raw) {
			t.Errorf("%s changed:\nbefore %s\nafter  %s", id, raw, after)
		}
	}
	if n := e.countTopic(e.topic(EventReceived)); n != 2 {
		t.Errorf("%d received notifications, want the first pass's 2", n)
	}
	if n := e.countTopic(res); n != 1 {
		t.Errorf("%d records on %s, want the first pass's 1", n, res)
	}
}

// One batch with a new message, a re-delivery, new failures of retried and
// scheduled messages (one retried at once, one discarded) and two failures
// of one new event: each goes its own way, and nothing is announced twice.
func TestProcessMixedNewRedeliveredRefailed(t *testing.T) {
	e, m, now, t0, t1 := refailSetup(t, "proc")
	pod, res := e.topic("pod_failed"), e.topic("result_stored")
	e.insertPlatformDoc("mx-redeliver", "pod_failed", pod, contract.DLQRetried, 1, t0, "old", nil)
	e.insertPlatformDoc("mx-refail", "pod_failed", pod, contract.DLQRetried, 1, t0, "old", nil)
	e.insertPlatformDoc("mx-imm", "result_stored", res, contract.DLQRetried, 1, t0, "old", nil)
	e.insertPlatformDoc("mx-discard", "pod_failed", pod, contract.DLQScheduled, 3, t0, "old", t0.Add(24*time.Hour))
	e.produce(
		dlqRecord("mx-new", "pod_failed", pod, 0, t1, "new"),
		dlqRecord("mx-redeliver", "pod_failed", pod, 0, t0, "old"),
		dlqRecord("mx-twice", "pod_failed", pod, 0, t0, "first"),
		dlqRecord("mx-refail", "pod_failed", pod, 1, t1, "again"),
		dlqRecord("mx-imm", "result_stored", res, 1, t1, "again"),
		dlqRecord("mx-discard", "pod_failed", pod, 3, t1, "again"),
		dlqRecord("mx-twice", "pod_failed", pod, 0, t1, "second"),
	)
	st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	want := ProcessStats{Received: 5, Duplicates: 2, Scheduled: 3, Retried: 1, Discarded: 1}
	if err != nil || st != want {
		t.Fatalf("stats = %+v, %v\nwant %+v", st, err, want)
	}
	if msg := e.loadMsg("mx-new"); msg.Status != contract.DLQScheduled || msg.LastError != nil {
		t.Errorf("mx-new: %+v", msg)
	}
	if msg := e.loadMsg("mx-redeliver"); msg.Status != contract.DLQRetried || !msg.FailedAt.Equal(t0) || msg.LastError != nil {
		t.Errorf("mx-redeliver changed: %+v", msg)
	}
	if msg := e.loadMsg("mx-twice"); msg.Error != "second" || !msg.FailedAt.Equal(t1) || msg.Status != contract.DLQScheduled {
		t.Errorf("mx-twice kept the earlier failure: %+v", msg)
	}
	if msg := e.loadMsg("mx-refail"); msg.Status != contract.DLQScheduled || msg.Error != "again" || strOf(msg.LastError) != "old" {
		t.Errorf("mx-refail: %+v", msg)
	}
	msg := e.loadMsg("mx-imm")
	if msg.Status != contract.DLQRetried || msg.RetryCount != 2 || msg.RetriedAt == nil || !msg.RetriedAt.Equal(now) || !msg.FailedAt.Equal(t1) || strOf(msg.LastError) != "old" {
		t.Errorf("mx-imm: %+v", msg)
	}
	if rec := readTopic(t, res, 1)[0]; string(rec.Key) != "mx-imm" || headerMap(rec)[HeaderRetryCount] != "2" {
		t.Errorf("immediate retry record %s %v", rec.Key, headerMap(rec))
	}
	if msg := e.loadMsg("mx-discard"); msg.Status != contract.DLQDiscarded || strOf(msg.DiscardReason) != ReasonMaxRetries || msg.NextRetryAt != nil {
		t.Errorf("mx-discard: %+v", msg)
	}
	perID := map[string]int{}
	for _, r := range readTopic(t, e.topic(EventReceived), 5) {
		perID[string(r.Key)]++
	}
	for _, id := range []string{"mx-new", "mx-twice", "mx-refail", "mx-imm", "mx-discard"} {
		if perID[id] != 1 {
			t.Errorf("%s announced %d times: %v", id, perID[id], perID)
		}
	}
	if r, d, n := e.countTopic(e.topic(EventRetried)), e.countTopic(e.topic(EventDiscarded)), e.countTopic(res); r != 1 || d != 1 || n != 1 {
		t.Errorf("retried %d, discarded %d notifications, %d sends; want 1, 1, 1", r, d, n)
	}
	// Only the immediate send keeps its claim (for its lease), as on receipt.
	if n := e.count(ClaimsCollection, bson.D{}); n != 1 || e.count(ClaimsCollection, bson.D{{Key: "_id", Value: "mx-imm:1"}}) != 1 {
		t.Errorf("%d claims left, want only mx-imm:1", n)
	}
	if n := e.count(PendingSendsCollection, bson.D{}); n != 0 {
		t.Errorf("%d journal entries left", n)
	}
}

// A new failure of a message someone else holds is not applied: the rest
// of the batch is, the pass fails and commits nothing, and the next pass
// applies it once the holder is gone.
func TestProcessRefailureHeldIsReadAgain(t *testing.T) {
	e, m, _, t0, t1 := refailSetup(t, "proc")
	m.ClaimTTL = 300 * time.Millisecond // how long a held message is waited for
	pod := e.topic("pod_failed")
	e.insertPlatformDoc("h-1", "pod_failed", pod, contract.DLQScheduled, 1, t0, "old", t0.Add(24*time.Hour))
	until := time.Now().Add(time.Hour)
	foreign := claim{ID: "h-1:1", Key: "h-1:1", EventID: "h-1", Round: 1, Owner: "operator", Token: "x", Purpose: purposeRetry, ClaimedAt: time.Now(), ExpiresAt: until}
	if _, err := e.st.DLQClaims().Collection().InsertOne(ctxT(t), foreign); err != nil {
		t.Fatal(err)
	}
	before := e.rawMsg("h-1")
	e.produce(dlqRecord("h-new", "pod_failed", pod, 0, t1, "new"), dlqRecord("h-1", "pod_failed", pod, 1, t1, "again"))

	st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err == nil || !strings.Contains(err.Error(), "h-1") || st.Received != 1 || st.Scheduled != 1 {
		t.Fatalf("held pass = %+v, %v; want h-new stored and an error naming h-1", st, err)
	}
	if after := e.rawMsg("h-1"); !bytes.Equal(after, before) {
		t.Errorf("held message changed: %s", after)
	}
	if _, err := e.st.DLQClaims().Collection().DeleteOne(ctxT(t), bson.D{{Key: "_id", Value: "h-1:1"}}); err != nil {
		t.Fatal(err)
	}
	st, err = m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	// h-new is read again (a duplicate) unless the held pass could commit
	// its offset before it stopped: either way it is stored once.
	dups := st.Duplicates
	if err != nil || dups > 1 || st != (ProcessStats{Received: 1, Scheduled: 1, Duplicates: dups}) {
		t.Fatalf("second pass = %+v, %v; want h-1 received and scheduled, h-new at most a duplicate", st, err)
	}
	if msg := e.loadMsg("h-1"); msg.Error != "again" || strOf(msg.LastError) != "old" || !msg.FailedAt.Equal(t1) {
		t.Errorf("h-1 after the holder left: %+v", msg)
	}
	if n := e.countTopic(e.topic(EventReceived)); n != 2 {
		t.Errorf("%d received notifications, want 2", n)
	}
}

// A stored message written with other types (a double retry_count, a null
// failed_at, no status) still takes a new failure: the update's filter
// repeats what was read, whatever its type.
func TestProcessRefailureOfOddStoredDoc(t *testing.T) {
	e, m, _, _, t1 := refailSetup(t, "proc")
	pod := e.topic("pod_failed")
	doc := bson.D{
		{Key: "event", Value: bson.D{{Key: "event_id", Value: "odd-1"}, {Key: "event_type", Value: "pod_failed"}}},
		{Key: "original_topic", Value: pod}, {Key: "error", Value: nil}, {Key: "retry_count", Value: 1.0},
		{Key: "failed_at", Value: nil}, {Key: "created_at", Value: t1},
	}
	if _, err := e.st.DLQ.Collection().InsertOne(ctxT(t), doc); err != nil {
		t.Fatal(err)
	}
	e.produce(dlqRecord("odd-1", "pod_failed", pod, 1, t1, "again"))
	st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || st != (ProcessStats{Received: 1, Scheduled: 1}) {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	if msg := e.loadMsg("odd-1"); msg.Status != contract.DLQScheduled || !msg.FailedAt.Equal(t1) || msg.LastError != nil || msg.Error != "again" {
		t.Errorf("odd-1: %+v", msg)
	}
}

// Several ingesters handling the same new failures at once (a rebalance
// re-delivers a batch) apply each exactly once.
func TestRefailureRaceAppliesOnce(t *testing.T) {
	e, _, _, t0, t1 := refailSetup(t, "setup")
	pod, res := e.topic("pod_failed"), e.topic("result_stored")
	var recs []*kgo.Record
	var ids []string
	for i := range 6 {
		id, et, topic := fmt.Sprintf("race-%d", i), "pod_failed", pod
		if i%3 == 0 {
			et, topic = "result_stored", res
		}
		e.insertPlatformDoc(id, et, topic, contract.DLQRetried, 1, t0, "old", nil)
		recs = append(recs, &kgo.Record{Topic: e.topic(contract.DefaultDLQTopic), Offset: int64(i), Timestamp: t1,
			Value: []byte(dlqRecord(id, et, topic, 1, t1, "again"))})
		ids = append(ids, id)
	}
	managers := []*Manager{e.manager("ing-a"), e.manager("ing-b")}
	ctx := ctxT(t)
	if err := managers[0].EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total ProcessStats
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := managers[g%2].persistRecords(ctx, recs)
			if err != nil {
				t.Errorf("ingester %d: %v", g, err)
			}
			mu.Lock()
			total.add(st)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total.Received != int64(len(ids)) || total.Duplicates != 3*int64(len(ids)) {
		t.Errorf("stats = %+v; want %d received, %d duplicates", total, len(ids), 3*len(ids))
	}
	retried := 0
	for _, id := range ids {
		msg := e.loadMsg(id)
		if !msg.FailedAt.Equal(t1) || strOf(msg.LastError) != "old" || msg.Error != "again" {
			t.Errorf("%s: %+v", id, msg)
		}
		if msg.Status == contract.DLQRetried {
			retried++
		}
	}
	if n := e.countTopic(e.topic(EventReceived)); n != int64(len(ids)) {
		t.Errorf("%d received notifications, want %d", n, len(ids))
	}
	perID := map[string]int{}
	for _, r := range readTopic(t, e.topic(EventReceived), len(ids)) {
		perID[string(r.Key)]++
	}
	for _, id := range ids {
		if perID[id] != 1 {
			t.Errorf("%s announced %d times", id, perID[id])
		}
	}
	if n := e.countTopic(res); n != int64(retried) {
		t.Errorf("%d sends for %d messages stored retried", n, retried)
	}
}

// A stored message that cannot be read (here an _id of another type, which
// no stored state can hold) must not stall ingestion: the record of a new
// failure of it is quarantined naming the unreadable document, and the rest
// of the batch is stored and committed.
func TestProcessRefailureOfUnreadableStoredDocQuarantines(t *testing.T) {
	e, m, _, _, t1 := refailSetup(t, "proc")
	pod := e.topic("pod_failed")
	doc := bson.D{
		{Key: "_id", Value: bson.D{{Key: "foreign", Value: 1}}},
		{Key: "event", Value: bson.D{{Key: "event_id", Value: "unread-1"}, {Key: "event_type", Value: "pod_failed"}}},
		{Key: "original_topic", Value: pod}, {Key: "retry_count", Value: "two"}, {Key: "status", Value: "retried"},
	}
	if _, err := e.st.DLQ.Collection().InsertOne(ctxT(t), doc); err != nil {
		t.Fatal(err)
	}
	e.produce(dlqRecord("unread-1", "pod_failed", pod, 1, t1, "again"), dlqRecord("good-1", "pod_failed", pod, 0, t1, "boom"))
	st, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || st != (ProcessStats{Received: 1, Scheduled: 1, Quarantined: 1}) {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	if msg := e.loadMsg("good-1"); msg.Status != contract.DLQScheduled {
		t.Errorf("good-1: %+v", msg)
	}
	var q struct {
		Reason string `bson:"reason"`
		Offset int64  `bson:"offset"`
	}
	if err := e.db.Collection(InvalidCollection).FindOne(ctxT(t), bson.D{}).Decode(&q); err != nil {
		t.Fatalf("quarantine: %v", err)
	}
	if !strings.Contains(q.Reason, "unread-1") || !strings.Contains(q.Reason, "cannot be read") || q.Offset != 0 {
		t.Errorf("quarantine entry %+v", q)
	}
	if raw := e.rawMsg("unread-1"); raw.Lookup("retry_count").StringValue() != "two" {
		t.Errorf("unreadable document changed: %s", raw)
	}
	// The batch was committed: a second pass reads nothing.
	st, err = m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || st != (ProcessStats{}) {
		t.Fatalf("second pass stats = %+v, %v", st, err)
	}
}
