package dlq

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// strictManager is e's manager sending to a private Kafka without topic
// auto-creation that has only the given topics (plus the retried
// notification topic), logging Info and above into the returned buffer.
func (e *env) strictManager(topics ...string) (*Manager, []string, *testenv.SyncBuffer) {
	e.t.Helper()
	c := testenv.StrictKafka(e.t, 1, append(topics, e.topic(EventRetried))...)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.AllowAutoTopicCreation(),
		kgo.RecordDeliveryTimeout(30*time.Second))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(cl.Close)
	logs := &testenv.SyncBuffer{}
	m := e.manager("me")
	m.Kafka = cl
	m.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return m, c.ListenAddrs(), logs
}

// linesAbout counts log lines that name id.
func linesAbout(logs string, id string) int {
	n := 0
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "event_id="+id+" ") {
			n++
		}
	}
	return n
}

// TestUnsendableMessagesBackOff: with auto-creation off, messages whose
// topic does not exist fail once per pass that finds them due: each gets
// last_error naming the topic and the broker's code, a failure count and a
// next_retry_at in the future, stays scheduled with the contract's types,
// and is logged once; the sendable ones go.
func TestUnsendableMessagesBackOff(t *testing.T) {
	e := newEnv(t)
	good := e.topic("pod_failed")
	missing := e.topic("no_such_topic")
	m, brokers, logs := e.strictManager(good)
	ctx := ctxT(t)
	past := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	var bad []string
	for i := range 5 {
		id := fmt.Sprintf("bad-%d", i)
		bad = append(bad, id)
		e.insertPlatformDoc(id, "pod_failed", missing, contract.DLQScheduled, 0, past, "boom", past)
		e.insertDue(fmt.Sprintf("good-%d", i), 0)
	}

	n, err := m.RetryDue(ctx)
	if err != nil || n != 5 {
		t.Fatalf("first pass: retried %d, %v; want the 5 sendable", n, err)
	}
	if got := testenv.CountRecords(t, brokers, good); got != 5 {
		t.Errorf("%d records on %s, want 5", got, good)
	}
	afterFirst := time.Now().UTC()
	for _, id := range bad {
		msg := e.loadMsg(id)
		checkBackedOff(t, e, msg, missing, afterFirst, 1)
		if c := linesAbout(logs.String(), id); c != 1 {
			t.Errorf("%s: %d log lines after the first pass, want 1:\n%s", id, c, logs)
		}
	}

	// Right after: nothing is due, so nothing is sent or logged.
	before := logs.String()
	if n, err := m.RetryDue(ctx); err != nil || n != 0 {
		t.Fatalf("second pass: retried %d, %v; want 0", n, err)
	}
	if after := logs.String(); after != before {
		t.Errorf("second pass logged:\n%s", strings.TrimPrefix(after, before))
	}

	// Due again later: they fail again, back off further, and a permanent
	// failure already reported is not logged again by this process.
	later := time.Now().UTC().Add(3 * time.Hour)
	m.Now = func() time.Time { return later }
	if n, err := m.RetryDue(ctx); err != nil || n != 0 {
		t.Fatalf("third pass: retried %d, %v; want 0", n, err)
	}
	for _, id := range bad {
		checkBackedOff(t, e, e.loadMsg(id), missing, later, 2)
		if c := linesAbout(logs.String(), id); c != 1 {
			t.Errorf("%s: %d log lines after the third pass, want still 1", id, c)
		}
	}
}

// checkBackedOff asserts msg failed its failures-th send to topic and is
// due again only after at least the failure back-off from now.
func checkBackedOff(t *testing.T, e *env, msg contract.DLQMessage, topic string, now time.Time, failures int64) {
	t.Helper()
	id := msg.EventID()
	if msg.Status != contract.DLQScheduled || msg.RetryCount != 0 {
		t.Errorf("%s: status %s retry_count %d, want scheduled 0", id, msg.Status, msg.RetryCount)
	}
	if msg.LastError == nil || !strings.Contains(*msg.LastError, topic) || !strings.Contains(*msg.LastError, "UNKNOWN_TOPIC_OR_PARTITION") {
		t.Errorf("%s: last_error %s, want the topic %s and UNKNOWN_TOPIC_OR_PARTITION", id, deref(msg.LastError), topic)
	}
	if msg.NextRetryAt == nil || msg.NextRetryAt.Before(now.Add(failureBackoff(failures)-time.Minute)) {
		t.Errorf("%s: next_retry_at %v, want at least %v after %v", id, msg.NextRetryAt, failureBackoff(failures), now)
	}
	if msg.LastUpdated == nil {
		t.Errorf("%s: last_updated not set", id)
	}
	if got := sendFailures(&msg); got != failures {
		t.Errorf("%s: %s = %d, want %d", id, SendFailuresField, got, failures)
	}
	raw := e.rawMsg(id)
	for field, want := range map[string]bson.Type{
		"retry_count": bson.TypeInt32, "next_retry_at": bson.TypeDateTime, "last_updated": bson.TypeDateTime,
		"last_error": bson.TypeString, SendFailuresField: bson.TypeInt32, "status": bson.TypeString,
	} {
		v, err := raw.LookupErr(strings.Split(field, ".")...)
		if err != nil || v.Type != want {
			t.Errorf("%s: %s has type %v (%v), want %v", id, field, v.Type, err, want)
		}
	}
}

// TestUnsendableMessagesDoNotStarveOthers: more unsendable messages than
// one due query loads sort before a sendable one; one pass still sends it.
func TestUnsendableMessagesDoNotStarveOthers(t *testing.T) {
	e := newEnv(t)
	good := e.topic("pod_failed")
	m, brokers, _ := e.strictManager(good)
	m.dueBatch = 4 // the embedded server scans per updated document: keep it small
	older := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Millisecond)
	for i := range m.dueBatch + 1 {
		e.insertPlatformDoc(fmt.Sprintf("first-%02d", i), "pod_failed", e.topic("no_such_topic"), contract.DLQScheduled, 0, older, "boom", older)
	}
	e.insertDue("the-good-one", 0)

	if _, err := m.RetryDue(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if msg := e.loadMsg("the-good-one"); msg.Status != contract.DLQRetried {
		t.Errorf("the sendable message is %s after one pass, want retried", msg.Status)
	}
	if got := testenv.CountRecords(t, brokers, good); got != 1 {
		t.Errorf("%d records on %s, want 1", got, good)
	}
}

// TestManualRetryOfUnsendableNamesTopicAndCode: `dlq retry` of a message
// whose topic does not exist fails that item with the topic and the
// broker's code, and records them as last_error.
func TestManualRetryOfUnsendableNamesTopicAndCode(t *testing.T) {
	e := newEnv(t)
	missing := e.topic("no_such_topic")
	m, _, _ := e.strictManager()
	past := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	e.insertPlatformDoc("manual-1", "pod_failed", missing, contract.DLQScheduled, 0, past, "boom", past)
	ctx := ctxT(t)
	p, err := m.PlanByIDs(ctx, []string{"manual-1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Retry(ctx, p, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || len(res.Results) != 1 {
		t.Fatalf("result %+v, want one failed item", res)
	}
	for _, s := range []string{missing, "UNKNOWN_TOPIC_OR_PARTITION"} {
		if !strings.Contains(res.Results[0].Error, s) {
			t.Errorf("item error %q does not name %s", res.Results[0].Error, s)
		}
	}
	if msg := e.loadMsg("manual-1"); msg.LastError == nil || *msg.LastError != res.Results[0].Error {
		t.Errorf("last_error %s, want %q", deref(msg.LastError), res.Results[0].Error)
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}
