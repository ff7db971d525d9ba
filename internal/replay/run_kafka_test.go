package replay

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestRunToKafkaWritesContractRecords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(30, "execution_started", "execution_completed", "pod_created")
	mapped := e.prefix + "mapped_completions"
	svc := e.service("runner-a")
	var progress []Progress
	sess := e.createStarted(svc, Spec{
		Types:    []string{"execution_started", "execution_completed"},
		TopicMap: map[string]string{"execution_completed": mapped},
	})
	res := mustRun(t, svc, sess.SessionID, RunOptions{Progress: func(p Progress) { progress = append(progress, p) }})
	if res.Outcome != OutcomeCompleted || res.Session.Status != contract.StatusCompleted {
		t.Fatalf("outcome %s, status %s", res.Outcome, res.Session.Status)
	}
	s := res.Session
	if s.ReplayedEvents != 20 || s.TotalEvents != 20 || s.FailedEvents != 0 || s.SkippedEvents != 0 ||
		s.CompletedAt == nil || s.StartedAt == nil {
		t.Fatalf("counters %+v", s)
	}
	last := events[28] // the last execution_* event
	if !s.LastEventAt.Equal(last.ts) || s.Replayctl.Checkpoint.EventID != last.id {
		t.Fatalf("last_event_at %v checkpoint %+v, want %v %s", s.LastEventAt, s.Replayctl.Checkpoint, last.ts, last.id)
	}
	if p := progress[len(progress)-1]; p.Status != contract.StatusCompleted || p.Replayed != 20 {
		t.Fatalf("final progress %+v", p)
	}

	recs := consume(t, 20, append(e.topics("execution_started", "pod_created"), mapped)...)
	byID := map[string]seeded{}
	for _, ev := range events {
		byID[ev.id] = ev
	}
	for _, r := range recs {
		var v map[string]any
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatal(err)
		}
		ev := byID[v["event_id"].(string)]
		wantTopic := e.prefix + ev.typ
		if ev.typ == "execution_completed" {
			wantTopic = mapped
		}
		wantKey := ev.agg
		if wantKey == "" {
			wantKey = ev.id
		}
		if r.Topic != wantTopic || string(r.Key) != wantKey {
			t.Errorf("event %s (%s): topic %s key %s, want %s %s", ev.id, ev.typ, r.Topic, r.Key, wantTopic, wantKey)
		}
		if _, ok := v["_id"]; ok || v["stored_at"] != nil || v["ttl_expires_at"] != nil {
			t.Errorf("bookkeeping fields in value: %s", r.Value)
		}
		if v["event_type"] != ev.typ || v["stdout"] != "line\n" || v["metadata"].(map[string]any)["service_name"] != "api" {
			t.Errorf("payload not preserved: %s", r.Value)
		}
		replayed, _ := time.Parse(time.RFC3339, v["timestamp"].(string))
		if replayed.Equal(ev.ts) || time.Since(replayed) > time.Minute {
			t.Errorf("timestamp %v should be the replay time", v["timestamp"])
		}
		checkHeaders(t, r.Headers, map[string]string{
			HeaderSessionID: sess.SessionID, HeaderReplayID: sess.ReplayID, HeaderEventType: ev.typ,
			HeaderOriginalTimestamp: ev.ts.Format(contract.TimeFormat),
		})
		if at, ok := header(r, HeaderReplayedAt); !ok || at != v["timestamp"] {
			t.Errorf("replayed-at header %q, value timestamp %v", at, v["timestamp"])
		}
	}
	var want []seeded
	for _, ev := range events {
		if ev.typ != "pod_created" {
			want = append(want, ev)
		}
	}
	testenv.AssertEachOnce(t, "replayed", idsOf(want), eventIDs(t, recs))
}

func checkHeaders(t *testing.T, got []kgo.RecordHeader, want map[string]string) {
	t.Helper()
	m := map[string]string{}
	for _, h := range got {
		m[h.Key] = string(h.Value)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("header %s = %q, want %q", k, m[k], v)
		}
	}
}

func TestRunPreservesTimestampsWhenAsked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(3, "user_login")
	svc := e.service("runner")
	sess := e.createStarted(svc, Spec{PreserveTimestamps: true})
	mustRun(t, svc, sess.SessionID, RunOptions{})
	for _, r := range consume(t, 3, e.topics("user_login")...) {
		var v struct {
			ID string `json:"event_id"`
			TS string `json:"timestamp"`
		}
		_ = json.Unmarshal(r.Value, &v)
		for _, ev := range events {
			if ev.id == v.ID && (v.TS != ev.ts.Format(contract.TimeFormat) || !r.Timestamp.Equal(ev.ts)) {
				t.Errorf("timestamp %s / record %v, want original %v", v.TS, r.Timestamp, ev.ts)
			}
		}
	}
}

func TestDryRunPublishesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(12, "user_registered")
	svc := e.service("runner")
	sess := e.createStarted(svc, Spec{DryRun: true})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 12 || !res.Session.DryRun {
		t.Fatalf("dry run: %s %+v", res.Outcome, res.Session)
	}
	exists, err := topicsExist(t, svc, e.topics("user_registered"))
	if err != nil || exists[e.prefix+"user_registered"] {
		t.Fatalf("dry run created or wrote topic: %v %v", exists, err)
	}
}

func TestMaxEventsStopsAfterN(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(20, "pod_running")
	svc := e.service("runner")
	sess := e.createStarted(svc, Spec{MaxEvents: 7})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 7 || res.Session.TotalEvents != 7 {
		t.Fatalf("%s %+v", res.Outcome, res.Session)
	}
	// The first 7 events in order, each once, and no others.
	testenv.AssertEachOnce(t, "pod_running", idsOf(events[:7]), eventIDs(t, consume(t, 7, e.topics("pod_running")...)))
}

func topicsExist(t *testing.T, svc *Service, topics []string) (map[string]bool, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return kafka.TopicsExist(ctx, svc.Kafka, nil, topics)
}
