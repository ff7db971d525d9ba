package dlq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestRetryByIDs(t *testing.T) {
	e := newEnv(t)
	m := e.manager("op-1")
	ctx := ctxT(t)
	topic, at := e.insertDue("aaaa-1111", 1)
	e.insertPlatformDoc("bbbb-2222", "pod_failed", topic, contract.DLQPending, 0, at, "boom", nil)
	e.insertPlatformDoc("bbbb-3333", "pod_failed", topic, contract.DLQRetried, 2, at, "boom", nil)

	if _, err := m.PlanByIDs(ctx, []string{"aaaa-1111", "zzzz", "yyyy"}, ""); fault.KindOf(err) != fault.NotFound || !strings.Contains(err.Error(), "zzzz, yyyy") {
		t.Errorf("unknown ids: %v", err)
	}
	if _, err := m.PlanByIDs(ctx, []string{"bbbb"}, ""); fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "bbbb-2222, bbbb-3333") {
		t.Errorf("ambiguous prefix: %v", err)
	}
	p, err := m.PlanByIDs(ctx, []string{"aaaa", "bbbb-2", "bbbb-3333"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Messages) != 2 || len(p.Refused) != 1 || p.Refused[0].EventID != "bbbb-3333" || p.ByTopic[topic] != 2 {
		t.Fatalf("plan = %+v", p)
	}
	var progress []int64
	res, err := m.Retry(ctx, p, BatchOptions{Progress: func(done, _ int64) { progress = append(progress, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded != 2 || res.Failed != 0 || res.Refused != 1 || len(progress) == 0 || progress[len(progress)-1] != 2 {
		t.Errorf("result = %+v, progress %v", res, progress)
	}
	a := e.loadMsg("aaaa-1111")
	if a.Status != contract.DLQRetried || a.RetryCount != 2 || a.RetriedAt == nil || a.LastUpdated == nil {
		t.Errorf("aaaa after retry: %+v", a)
	}
	recs := readTopic(t, topic, 2)
	for _, r := range recs {
		hs := headerMap(r)
		var v map[string]any
		if err := json.Unmarshal(r.Value, &v); err != nil || v["event_id"] != string(r.Key) || hs["event_type"] != "pod_failed" || hs[HeaderEventID] != string(r.Key) {
			t.Errorf("record %s: %s %v", r.Key, r.Value, hs)
		}
		if string(r.Key) == "aaaa-1111" && (hs[HeaderRetryCount] != "2" || v["execution_id"] != "exec-aaaa-1111" || v["aggregate_id"] != nil) {
			t.Errorf("aaaa record: %s %v", r.Value, hs)
		}
	}
	notes := readTopic(t, e.topic(EventRetried), 2)
	var v map[string]any
	_ = json.Unmarshal(notes[0].Value, &v)
	if v["retry_topic"] != topic || v["original_topic"] != topic || v["retry_count"] == nil {
		t.Errorf("retried notification %v", v)
	}

	// Retrying again is refused: both are terminal now.
	p, err = m.PlanByIDs(ctx, []string{"aaaa-1111", "bbbb-2222"}, "")
	if err != nil || len(p.Messages) != 0 || len(p.Refused) != 2 {
		t.Errorf("second plan = %+v, %v", p, err)
	}
}

func TestRetryByFilterToTopicAndDiscard(t *testing.T) {
	e := newEnv(t)
	m := e.manager("op-1")
	ctx := ctxT(t)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	for _, id := range []string{"f-1", "f-2", "f-3"} {
		e.insertPlatformDoc(id, "user_login", e.topic("user_login"), contract.DLQScheduled, 0, at, "Timeout after 5s", at.Add(time.Hour))
	}
	e.insertPlatformDoc("g-1", "pod_failed", e.topic("pod_failed"), contract.DLQScheduled, 0, at, "other", at)

	p, err := m.PlanByFilter(ctx, ListFilter{Topics: []string{e.topic("user_login")}, ErrorContains: "TIMEOUT"}, e.topic("fixed"))
	if err != nil || len(p.Messages) != 3 || p.ByTopic[e.topic("fixed")] != 3 {
		t.Fatalf("plan = %+v, %v", p, err)
	}
	res, err := m.Retry(ctx, p, BatchOptions{Rate: 50})
	if err != nil || res.Succeeded != 3 {
		t.Fatalf("retry = %+v, %v", res, err)
	}
	if recs := readTopic(t, e.topic("fixed"), 3); len(recs) != 3 {
		t.Errorf("to-topic records: %d", len(recs))
	}
	if e.countTopic(e.topic("user_login")) != 0 {
		t.Error("records went to the original topic despite --to-topic")
	}

	p, err = m.PlanByIDs(ctx, []string{"g-1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err = m.Discard(ctx, p, "payload schema obsolete", BatchOptions{})
	if err != nil || res.Succeeded != 1 {
		t.Fatalf("discard = %+v, %v", res, err)
	}
	g := e.loadMsg("g-1")
	if g.Status != contract.DLQDiscarded || g.DiscardReason == nil || *g.DiscardReason != "manual: payload schema obsolete" || g.DiscardedAt == nil || g.RetryCount != 0 {
		t.Errorf("discarded doc: %+v", g)
	}
	notes := readTopic(t, e.topic(EventDiscarded), 1)
	var v map[string]any
	_ = json.Unmarshal(notes[0].Value, &v)
	if v["reason"] != "manual: payload schema obsolete" || v["dlq_event_id"] != "g-1" {
		t.Errorf("discarded notification %v", v)
	}
	if res, err := m.Discard(ctx, p, "again", BatchOptions{}); err != nil || res.Refused != 1 || res.Succeeded != 0 {
		t.Errorf("discard of a discarded message: %+v, %v", res, err)
	}
}

// A broker failure fails the item, records last_error, and releases the
// claim so a later retry can send it.
func TestRetryBrokerFailure(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	e.insertPlatformDoc("x-1", "user_login", e.topic("user_login"), contract.DLQScheduled, 0, at, "boom", at)
	m := e.manager("op-1")
	// No topic auto-creation and a short delivery timeout: sends to a missing
	// topic fail.
	strict, err := kgo.NewClient(kgo.SeedBrokers(testenv.Shared(t).KafkaBrokers()...), kgo.RecordDeliveryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(strict.Close)
	m.Kafka = strict
	p, err := m.PlanByIDs(ctx, []string{"x-1"}, e.topic("missing_topic"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Retry(ctx, p, BatchOptions{})
	if err != nil || res.Failed != 1 || res.Results[0].OK || res.Results[0].Error == "" {
		t.Fatalf("failing retry = %+v, %v", res, err)
	}
	x := e.loadMsg("x-1")
	if x.Status != contract.DLQScheduled || x.RetryCount != 0 || x.LastError == nil || *x.LastError != res.Results[0].Error {
		t.Errorf("after failed retry: %+v", x)
	}
	if n := e.count(ClaimsCollection, bson.D{}); n != 0 {
		t.Errorf("%d claims left after a failed send, want 0", n)
	}
	m.Kafka = e.kafka
	res, err = m.Retry(ctx, p, BatchOptions{ToTopic: e.topic("user_login")})
	if err != nil || res.Succeeded != 1 {
		t.Errorf("retry after fix = %+v, %v", res, err)
	}
}

// --rate spaces the sends; cancelling stops before the next chunk, and what
// was done is reported.
func TestRetryRateAndInterrupt(t *testing.T) {
	e := newEnv(t)
	m := e.manager("op-1")
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	for i := range 6 {
		e.insertPlatformDoc(fmt.Sprintf("r-%d", i), "user_login", e.topic("user_login"), contract.DLQScheduled, 0, at, "boom", at)
	}
	p, err := m.PlanByFilter(ctxT(t), ListFilter{}, "")
	if err != nil || len(p.Messages) != 6 {
		t.Fatalf("plan = %+v, %v", p, err)
	}
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	start := time.Now()
	// Rate 3/s: chunks of 3 messages, about a second each.
	res, err := m.Retry(ctx, p, BatchOptions{Rate: 3, Progress: func(done, _ int64) {
		if done >= 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want an interruption", err)
	}
	if res == nil || res.Succeeded != 3 || res.Failed != 0 {
		t.Fatalf("result = %+v", res)
	}
	if took := time.Since(start); took < 600*time.Millisecond {
		t.Errorf("3 sends at 3/s took %v, want >= 2 intervals", took)
	}
	if n := e.count("dlq_messages", bson.D{{Key: "status", Value: "scheduled"}}); n != 3 {
		t.Errorf("%d still scheduled, want 3", n)
	}
}
