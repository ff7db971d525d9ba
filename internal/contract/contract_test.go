package contract

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestTransitionFollowsContractLifecycle(t *testing.T) {
	cases := []struct {
		from SessionStatus
		a    Action
		to   SessionStatus
		ok   bool
	}{
		{StatusCreated, ActionStart, StatusRunning, true},
		{StatusRunning, ActionPause, StatusPaused, true},
		{StatusPaused, ActionResume, StatusRunning, true},
		{StatusRunning, ActionComplete, StatusCompleted, true},
		{StatusRunning, ActionFail, StatusFailed, true},
		{StatusPaused, ActionCancel, StatusCancelled, true},
		{StatusScheduled, ActionCancel, StatusCancelled, true},
		{StatusCompleted, ActionPause, StatusCompleted, false},
		{StatusRunning, ActionStart, StatusRunning, false},
		{StatusCreated, ActionResume, StatusCreated, false},
		{StatusCancelled, ActionCancel, StatusCancelled, false},
	}
	for _, c := range cases {
		got, err := Transition(c.from, c.a)
		if (err == nil) != c.ok || got != c.to {
			t.Errorf("Transition(%s, %s) = %s, %v; want %s ok=%v", c.from, c.a, got, err, c.to, c.ok)
		}
		var te *TransitionError
		if err != nil && !errors.As(err, &te) {
			t.Errorf("error is not a *TransitionError: %v", err)
		}
	}
}

func TestTerminalStatuses(t *testing.T) {
	for _, s := range SessionStatuses {
		want := s == StatusCompleted || s == StatusFailed || s == StatusCancelled
		if s.Terminal() != want {
			t.Errorf("%s.Terminal() = %v", s, s.Terminal())
		}
	}
	if !DLQRetried.Terminal() || !DLQDiscarded.Terminal() || DLQPending.Terminal() {
		t.Error("DLQ terminal statuses wrong")
	}
}

func TestCategoryOfCoversContractCategories(t *testing.T) {
	want := map[string]Category{
		"execution_failed": CategoryExecution, "pod_deleted": CategoryPod,
		"create_pod_command": CategoryCommand, "result_stored": CategoryResult,
		"user_login": CategoryOther, "execution_brand_new": CategoryOther,
	}
	for typ, c := range want {
		if got := CategoryOf(typ); got != c {
			t.Errorf("CategoryOf(%s) = %s, want %s", typ, got, c)
		}
	}
}

func TestClosestEventTypesSuggestsTypos(t *testing.T) {
	got := ClosestEventTypes("execution_complete", 3)
	if len(got) == 0 || got[0] != "execution_completed" {
		t.Fatalf("got %v", got)
	}
	if got := ClosestEventTypes("zzzzzzzzzzzzzzzzzzzzzzzz", 3); len(got) != 0 {
		t.Fatalf("nonsense should have no suggestion, got %v", got)
	}
}

func mustRaw(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAppendEventJSONDropsBookkeepingAndFormatsDates(t *testing.T) {
	ts := time.Date(2026, 11, 20, 10, 0, 0, 123e6, time.UTC)
	raw := mustRaw(t, bson.D{
		{Key: "_id", Value: bson.NewObjectID()},
		{Key: "event_id", Value: "e-1"},
		{Key: "event_type", Value: "execution_completed"},
		{Key: "event_version", Value: "1.0"},
		{Key: "timestamp", Value: ts},
		{Key: "aggregate_id", Value: nil},
		{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "svc"}}},
		{Key: "stored_at", Value: ts},
		{Key: "ttl_expires_at", Value: ts},
		{Key: "exit_code", Value: int32(0)},
		{Key: "ratio", Value: 1.0},
		{Key: "stdout", Value: "line \"1\"\n\x01"},
		{Key: "tags", Value: bson.A{"a", int64(2)}},
	})
	out, err := AppendEventJSON(nil, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"event_id":"e-1","event_type":"execution_completed","event_version":"1.0",` +
		`"timestamp":"2026-11-20T10:00:00.123Z","aggregate_id":null,"metadata":{"service_name":"svc"},` +
		`"exit_code":0,"ratio":1.0,"stdout":"line \"1\"\n\u0001","tags":["a",2]}`
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	replay := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	out, _ = AppendEventJSON(nil, raw, &replay)
	_ = json.Unmarshal(out, &m)
	if m["timestamp"] != "2026-11-25T00:00:00.000Z" {
		t.Fatalf("timestamp not replaced: %v", m["timestamp"])
	}
}

func TestParseStoredEventRejectsMalformedDocuments(t *testing.T) {
	ts := time.Now()
	good := mustRaw(t, bson.D{{Key: "event_id", Value: "e"}, {Key: "event_type", Value: "x"}, {Key: "timestamp", Value: ts}})
	ev, err := ParseStoredEvent(good)
	if err != nil || ev.Key() != "e" {
		t.Fatalf("good event: %+v %v", ev, err)
	}
	bad := []bson.D{
		{{Key: "event_type", Value: "x"}, {Key: "timestamp", Value: ts}},
		{{Key: "event_id", Value: "e"}, {Key: "timestamp", Value: ts}},
		{{Key: "event_id", Value: "e"}, {Key: "event_type", Value: "x"}, {Key: "timestamp", Value: "yesterday"}},
		{{Key: "event_id", Value: 7}, {Key: "event_type", Value: "x"}, {Key: "timestamp", Value: ts}},
	}
	for i, d := range bad {
		if _, err := ParseStoredEvent(mustRaw(t, d)); !errors.Is(err, ErrMalformedEvent) {
			t.Errorf("case %d: want ErrMalformedEvent, got %v", i, err)
		}
	}
}

func TestSessionRoundTripsUnknownFields(t *testing.T) {
	// A document written by a newer platform keeps fields replayctl does not know.
	doc := bson.D{
		{Key: "session_id", Value: "s"}, {Key: "status", Value: "created"},
		{Key: "config", Value: bson.D{{Key: "replay_type", Value: "query"}, {Key: "future_knob", Value: true},
			{Key: "filter", Value: bson.D{{Key: "custom_query", Value: bson.D{{Key: "a", Value: 1}}}}}}},
		{Key: "total_events", Value: int32(5)}, {Key: "new_field", Value: "kept"},
	}
	var s Session
	if err := bson.Unmarshal(mustRaw(t, doc), &s); err != nil {
		t.Fatal(err)
	}
	out, err := bson.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	back := bson.Raw(out)
	if v, _ := back.Lookup("new_field").StringValueOK(); v != "kept" {
		t.Errorf("top-level unknown field lost: %v", back)
	}
	if v, _ := back.Lookup("config", "future_knob").BooleanOK(); !v {
		t.Errorf("config unknown field lost: %v", back)
	}
	if _, err := back.LookupErr("config", "filter", "custom_query"); err != nil {
		t.Errorf("filter unknown field lost: %v", err)
	}
	if s.TotalEvents != 5 || !reflect.DeepEqual(s.Status, StatusCreated) {
		t.Errorf("decoded %+v", s)
	}
}
