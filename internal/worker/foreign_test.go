package worker

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// A running worker on the embedded stack, with foreign documents in
// replay_sessions (config a string, status a number, no session_id), still
// runs a good session created afterwards; it warns about each running
// foreign document once, however often it polls, and counts it.
func TestWorkerRunsGoodSessionsBesideForeignDocuments(t *testing.T) {
	db := testenv.Database(t)
	st := store.FromClient(db.Client(), store.Options{Database: db.Name()})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	var events []any
	for i := range 5 {
		events = append(events, bson.D{{Key: "event_id", Value: testenv.UniqueName(t, "ev") + string(rune('a'+i))},
			{Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: base.Add(time.Duration(i) * time.Second)}})
	}
	if _, err := st.Events.Collection().InsertMany(ctx, events); err != nil {
		t.Fatal(err)
	}
	configString, noID := bson.NewObjectID(), bson.NewObjectID()
	foreign := []any{
		bson.D{{Key: "_id", Value: configString}, {Key: "session_id", Value: "foreign-1"}, {Key: "status", Value: "running"},
			{Key: "config", Value: "replay everything"}, {Key: "created_at", Value: base}},
		bson.D{{Key: "session_id", Value: "foreign-2"}, {Key: "status", Value: int32(3)}, {Key: "created_at", Value: base}},
		bson.D{{Key: "_id", Value: noID}, {Key: "status", Value: "running"}, {Key: "created_at", Value: base},
			{Key: "config", Value: bson.D{{Key: "replay_type", Value: "query"}, {Key: "target", Value: "kafka"}}}},
	}
	if _, err := st.Sessions.Collection().InsertMany(ctx, foreign); err != nil {
		t.Fatal(err)
	}

	logs := &testenv.SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := &replay.Service{Store: st, Owner: "worker-test", LeaseTTL: 3 * time.Second}
	m := NewMetrics()
	opts := fastOptions()
	opts.PollInterval = 20 * time.Millisecond
	w := &Worker{Replay: svc, Metrics: m, Logger: logger, Options: opts}
	stop := runWorker(t, w)

	skipped := func() float64 {
		v, _ := value(t, m.Registry(), "replayctl_documents_skipped_total", map[string]string{"collection": "replay_sessions"})
		return v
	}
	sess, err := svc.Create(ctx, replay.Spec{Types: []string{"user_login"}, DryRun: true}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Start(ctx, sess.SessionID); err != nil {
		t.Fatal(err)
	}
	var got *contract.Session
	waitFor(t, 60*time.Second, func() bool {
		got, err = st.Sessions.Get(ctx, sess.SessionID)
		return err == nil && got.Status == contract.StatusCompleted
	}, "the good session completed by the worker")
	waitFor(t, 10*time.Second, func() bool { return skipped() == 2 }, "the two running foreign documents counted")
	if got.ReplayedEvents != 5 {
		t.Errorf("replayed %d events, want 5", got.ReplayedEvents)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if v := skipped(); v != 2 {
		t.Errorf("replayctl_documents_skipped_total = %v after many polls, want 2 (once per document)", v)
	}
	out := logs.String()
	for _, id := range []string{configString.Hex(), noID.Hex()} {
		if n := strings.Count(out, "_id="+id); n != 1 {
			t.Errorf("warned %d times about %s, want once:\n%s", n, id, out)
		}
	}
}
