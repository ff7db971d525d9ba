package replay

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/uuid"
)

func TestPreviewIsReadOnlyAndComplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(30, "execution_started", "execution_completed", "pod_created")
	svc := e.service("op")
	// One destination topic exists already.
	if err := svc.Kafka.ProduceSync(ctxT(t, time.Minute), &kgo.Record{Topic: e.prefix + "execution_started", Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	draft, err := NewSession(Spec{
		Types: []string{"execution_started", "execution_completed"}, TopicMap: map[string]string{"execution_completed": "elsewhere_" + e.prefix},
		Speed: 2, MaxEvents: 15,
	}, time.Now(), "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Preview(ctxT(t, time.Minute), draft.Config, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.Matching != 20 || p.Total != 15 || !p.First.Equal(events[0].ts) || !p.Last.Equal(events[28].ts) {
		t.Fatalf("preview %+v", p)
	}
	topics := map[string]TypePreview{}
	for _, tp := range p.ByType {
		topics[tp.EventType] = tp
	}
	st, co := topics["execution_started"], topics["execution_completed"]
	if st.Count != 10 || st.Topic != e.prefix+"execution_started" || st.TopicExists == nil || !*st.TopicExists {
		t.Fatalf("started %+v", st)
	}
	if co.Topic != "elsewhere_"+e.prefix || co.TopicExists == nil || *co.TopicExists {
		t.Fatalf("completed %+v", co)
	}
	if len(p.Sample) != 3 {
		t.Fatalf("sample %d", len(p.Sample))
	}
	var first map[string]any
	if err := json.Unmarshal(p.Sample[0], &first); err != nil || first["event_id"] != events[0].id {
		t.Fatalf("sample[0] %s", p.Sample[0])
	}
	// 28 s of original time, 15 of 20 events, at speed 2: 10.5 s.
	if p.EstimatedDuration != 11*time.Second || p.Pacing != "speed x2 (original gaps / 2)" {
		t.Fatalf("estimate %v %q", p.EstimatedDuration, p.Pacing)
	}
	p, _ = svc.Preview(ctxT(t, time.Minute), draft.Config, 5, 0)
	if p.EstimatedDuration != 11*time.Second || p.Pacing != "speed x2 (original gaps / 2), capped at 5 events/s" || len(p.Sample) != 0 {
		t.Fatalf("rate estimate %v %q", p.EstimatedDuration, p.Pacing)
	}
	draft.Config.SpeedMultiplier = 100
	p, _ = svc.Preview(ctxT(t, time.Minute), draft.Config, 1, 0)
	if p.EstimatedDuration != 15*time.Second || p.Pacing != "capped at 1 events/s" {
		t.Fatalf("rate-only estimate %v %q", p.EstimatedDuration, p.Pacing)
	}
	for _, c := range []string{"replay_sessions", store.LeasesCollection, store.RequestsCollection} {
		if n, _ := e.st.Database().Collection(c).CountDocuments(ctxT(t, time.Minute), bson.D{}); n != 0 {
			t.Errorf("preview wrote %d documents to %s", n, c)
		}
	}
	if exists, _ := topicsExist(t, svc, []string{e.prefix + "execution_completed"}); exists[e.prefix+"execution_completed"] {
		t.Error("preview created a topic")
	}
}

func TestListInfoWatchCleanupRunnable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(10, "user_updated")
	clock := time.Now()
	svc := e.service("op")
	svc.Now = func() time.Time { return clock }
	ctx := ctxT(t, time.Minute)
	done := e.createStarted(svc, Spec{})
	waiting := e.createStarted(svc, Spec{}) // running, never run: work for a worker
	fresh, _ := svc.Create(ctx, Spec{}, "")

	runnable, err := svc.Runnable(ctx)
	if err != nil || len(runnable.Items) != 2 {
		t.Fatalf("runnable %d %v", len(runnable.Items), err)
	}
	var seen []contract.SessionStatus
	var mu sync.Mutex
	watched := make(chan *contract.Session, 1)
	go func() {
		s, _ := svc.Watch(ctx, done.SessionID, 20*time.Millisecond, func(s *contract.Session) {
			mu.Lock()
			seen = append(seen, s.Status)
			mu.Unlock()
		})
		watched <- s
	}()
	mustRun(t, svc, done.SessionID, RunOptions{})
	if s := <-watched; s.Status != contract.StatusCompleted {
		t.Fatalf("watch ended at %s", s.Status)
	}
	mu.Lock()
	if seen[0] != contract.StatusRunning || seen[len(seen)-1] != contract.StatusCompleted {
		t.Errorf("watch saw %v", seen)
	}
	mu.Unlock()

	runnable, _ = svc.Runnable(ctx)
	if len(runnable.Items) != 1 || runnable.Items[0].SessionID != waiting.SessionID {
		t.Fatalf("runnable after the run %+v", runnable)
	}
	list, err := svc.List(ctx, []contract.SessionStatus{contract.StatusCompleted, contract.StatusCreated}, 0)
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("list %d %v", len(list.Items), err)
	}
	info, err := svc.Info(ctx, done.SessionID[:10])
	if err != nil || info.Holder == nil || info.Holder.Live || !info.Holder.Released || info.Holder.Purpose != purposeRun || len(info.Requests) != 0 {
		t.Fatalf("info %+v %v", info, err)
	}

	clock = clock.Add(48 * time.Hour)
	old, err := svc.Cleanup(ctx, 24*time.Hour, true)
	if err != nil || len(old.Items) != 1 || old.Items[0].SessionID != done.SessionID {
		t.Fatalf("cleanup dry run %+v %v", old, err)
	}
	if _, err := svc.Cleanup(ctx, 24*time.Hour, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Resolve(ctx, done.SessionID); err == nil {
		t.Fatal("cleaned session still there")
	}
	if l, _ := e.st.Leases().Latest(ctx, done.SessionID); l != nil {
		t.Fatal("cleaned session's claims still there")
	}
	if _, err := svc.Resolve(ctx, fresh.SessionID); err != nil {
		t.Fatal("cleanup removed a non-terminal session")
	}
}

// A session written by the platform itself (only the contract's fields,
// int32 counters, null filter fields) works with every operation.
func TestPlatformCreatedSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(12, "execution_failed", "execution_timeout")
	svc := e.service("op")
	ctx := ctxT(t, time.Minute)
	created := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	doc := func(id string) bson.D {
		return bson.D{
			{Key: "session_id", Value: id}, {Key: "replay_id", Value: uuid.New()}, {Key: "status", Value: "created"},
			{Key: "config", Value: bson.D{
				{Key: "replay_type", Value: "event_type"}, {Key: "target", Value: "kafka"},
				{Key: "filter", Value: bson.D{
					{Key: "event_ids", Value: nil}, {Key: "execution_id", Value: nil}, {Key: "aggregate_id", Value: nil},
					{Key: "event_types", Value: bson.A{"execution_failed"}}, {Key: "exclude_event_types", Value: nil},
					{Key: "start_time", Value: nil}, {Key: "end_time", Value: nil}, {Key: "user_id", Value: nil},
					{Key: "service_name", Value: nil}, {Key: "custom_query", Value: nil},
				}},
				{Key: "speed_multiplier", Value: 100.0}, {Key: "preserve_timestamps", Value: false},
				{Key: "batch_size", Value: int32(100)}, {Key: "max_events", Value: nil}, {Key: "target_topics", Value: nil},
				{Key: "target_file_path", Value: nil}, {Key: "skip_errors", Value: true}, {Key: "retry_failed", Value: false},
				{Key: "retry_attempts", Value: int32(3)}, {Key: "enable_progress_tracking", Value: true},
			}},
			{Key: "total_events", Value: int32(0)}, {Key: "replayed_events", Value: int32(0)},
			{Key: "failed_events", Value: int32(0)}, {Key: "skipped_events", Value: int32(0)},
			{Key: "created_at", Value: created}, {Key: "started_at", Value: nil}, {Key: "completed_at", Value: nil},
			{Key: "last_event_at", Value: nil}, {Key: "errors", Value: bson.A{}}, {Key: "created_by", Value: "admin@platform"},
			{Key: "target_service", Value: nil}, {Key: "error", Value: nil}, {Key: "dry_run", Value: false},
			{Key: "triggered_executions", Value: bson.A{}},
		}
	}
	a, b := uuid.New(), uuid.New()
	if _, err := e.st.Sessions.Collection().InsertMany(ctx, []any{doc(a), doc(b)}); err != nil {
		t.Fatal(err)
	}
	list, err := svc.List(ctx, nil, 10)
	if err != nil || len(list.Items) != 2 || list.Items[0].CreatedBy == nil || list.Items[0].Config.SkipErrors != true {
		t.Fatalf("list %+v %v", list, err)
	}
	sess, err := svc.Resolve(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Preview(ctx, sess.Config, 0, 1); err != nil || p.Total != 6 {
		t.Fatalf("preview %+v %v", p, err)
	}
	steps := []struct {
		op   func(context.Context, string) (*contract.Session, error)
		want contract.SessionStatus
	}{
		{svc.Start, contract.StatusRunning}, {svc.Pause, contract.StatusPaused}, {svc.Resume, contract.StatusRunning},
	}
	for _, st := range steps {
		s, err := st.op(ctx, a)
		if err != nil || s.Status != st.want {
			t.Fatalf("want %s: %v %+v", st.want, err, s)
		}
	}
	res := mustRun(t, svc, a, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 6 || res.Session.TotalEvents != 6 {
		t.Fatalf("%s %+v", res.Outcome, res.Session)
	}
	raw, _ := e.st.Sessions.GetRaw(ctx, a)
	if v, err := raw.LookupErr("config", "filter", "custom_query"); err != nil || v.Type != bson.TypeNull {
		t.Errorf("a platform field was dropped: %v", err)
	}
	if v, _ := raw.LookupErr("status"); v.StringValue() != "completed" {
		t.Errorf("status stored as %v", v)
	}
	if got := eventIDs(t, consume(t, 6, e.topics("execution_failed")...)); len(got) != 6 || got[events[0].id] != 1 {
		t.Fatalf("delivered %v", got)
	}
	if s, err := svc.Cancel(ctx, b); err != nil || s.Status != contract.StatusCancelled {
		t.Fatalf("cancel: %v %+v", err, s)
	}
}

func TestCountMatchingCountsAllAndFiltered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(9, "pod_created", "pod_deleted", "pod_failed")
	svc := e.service("op")
	ctx := ctxT(t, time.Minute)
	if n, err := countMatching(ctx, svc, contract.Filter{}); err != nil || n != 9 {
		t.Fatalf("all events: %d %v", n, err)
	}
	if n, err := countMatching(ctx, svc, contract.Filter{EventTypes: []string{"pod_failed"}}); err != nil || n != 3 {
		t.Fatalf("filtered: %d %v", n, err)
	}
}
