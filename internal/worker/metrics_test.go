package worker

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestReplayAdapterFeedsCounters(t *testing.T) {
	m := NewMetrics()
	r := m.Replay()
	r.EventsReplayed("s1", "execution_started", 3)
	r.EventsReplayed("s1", "execution_started", 2)
	r.EventsFailed("s1", "pod_created", 1)
	r.EventsSkipped("s1", "unknown", 4)
	r.EventsReplayed("s1", "pod_created", 0) // no series for nothing
	r.Lag("s1", 90*time.Second)
	reg := m.Registry()
	for _, c := range []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"session_id": "s1", "event_type": "execution_started", "result": "replayed"}, 5},
		{map[string]string{"session_id": "s1", "event_type": "pod_created", "result": "failed"}, 1},
		{map[string]string{"session_id": "s1", "event_type": "unknown", "result": "skipped"}, 4},
	} {
		if v, ok := value(t, reg, "replayctl_replay_events_total", c.labels); !ok || v != c.want {
			t.Errorf("replayctl_replay_events_total%v = %v (present %v), want %v", c.labels, v, ok, c.want)
		}
	}
	if _, ok := value(t, reg, "replayctl_replay_events_total", map[string]string{"session_id": "s1", "event_type": "pod_created", "result": "replayed"}); ok {
		t.Error("a zero count created a series")
	}
	if v, _ := value(t, reg, "replayctl_replay_lag_seconds", map[string]string{"session_id": "s1"}); v != 90 {
		t.Errorf("lag = %v, want 90", v)
	}
}

func TestFinishedSessionSeriesArePruned(t *testing.T) {
	m := NewMetrics()
	m.retention = time.Minute
	now := time.Now()
	m.runStarted("s1")
	m.Replay().EventsReplayed("s1", "t", 1)
	m.Replay().Lag("s1", time.Second)
	m.runEnded("s1", now)
	reg := m.Registry()
	if _, ok := value(t, reg, "replayctl_replay_lag_seconds", map[string]string{"session_id": "s1"}); ok {
		t.Error("lag of a session no longer running here is still exported")
	}
	m.prune(now.Add(30 * time.Second))
	if _, ok := value(t, reg, "replayctl_replay_events_total", map[string]string{"session_id": "s1", "event_type": "t", "result": "replayed"}); !ok {
		t.Error("counters pruned before the retention passed")
	}
	m.prune(now.Add(time.Minute))
	if _, ok := value(t, reg, "replayctl_replay_events_total", map[string]string{"session_id": "s1", "event_type": "t", "result": "replayed"}); ok {
		t.Error("counters kept after the retention")
	}
}

func TestDLQAdapterFeedsCountersAndHistogram(t *testing.T) {
	m := NewMetrics()
	d := m.DLQ()
	d.Received("orders")
	d.Received("orders")
	d.Retried("orders")
	d.Discarded("pods")
	d.Quarantined("dead_letter_queue")
	d.RetryLatency("orders", 3*time.Second)
	d.RetryLatency("orders", -time.Second) // clock skew must not break the histogram
	d.SendFailed(true)
	d.SendFailed(false)
	d.SendFailed(false)
	reg := m.Registry()
	for _, c := range []struct {
		topic, action string
		want          float64
	}{{"orders", "received", 2}, {"orders", "retried", 1}, {"pods", "discarded", 1}, {"dead_letter_queue", "quarantined", 1}} {
		if v, _ := value(t, reg, "replayctl_dlq_messages_total", map[string]string{"topic": c.topic, "action": c.action}); v != c.want {
			t.Errorf("dlq %s %s = %v, want %v", c.topic, c.action, v, c.want)
		}
	}
	for kind, want := range map[string]float64{KindPermanent: 1, KindTransient: 2} {
		if v, _ := value(t, reg, "replayctl_dlq_send_failures_total", map[string]string{"kind": kind}); v != want {
			t.Errorf("dlq send failures %s = %v, want %v", kind, v, want)
		}
	}
	if n, _ := value(t, reg, "replayctl_dlq_retry_latency_seconds", map[string]string{"topic": "orders"}); n != 2 {
		t.Errorf("retry latency observations = %v, want 2", n)
	}
}

func TestStatsCollectorCountsOnScrape(t *testing.T) {
	var calls atomic.Int64
	now := time.Unix(1000, 0)
	sessions := func(context.Context) (map[string]int64, error) {
		calls.Add(1)
		return map[string]int64{"running": 2, "completed": 5, "archived": 1}, nil
	}
	backlog := func(context.Context) (map[string]int64, error) {
		return map[string]int64{"scheduled": 7}, nil
	}
	c := NewStatsCollector(sessions, backlog, nil)
	c.Now = func() time.Time { return now }
	m := NewMetrics()
	m.Registry().MustRegister(c)
	reg := m.Registry()
	for status, want := range map[string]float64{"running": 2, "completed": 5, "created": 0, "archived": 1} {
		if v, ok := value(t, reg, "replayctl_replay_sessions", map[string]string{"status": status}); !ok || v != want {
			t.Errorf("sessions{%s} = %v (present %v), want %v", status, v, ok, want)
		}
	}
	for status, want := range map[string]float64{"scheduled": 7, "pending": 0, "retried": 0, "discarded": 0} {
		if v, ok := value(t, reg, "replayctl_dlq_backlog", map[string]string{"status": status}); !ok || v != want {
			t.Errorf("backlog{%s} = %v (present %v), want %v", status, v, ok, want)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("scrapes within MaxAge counted %d times, want once", calls.Load())
	}
	now = now.Add(DefaultStatsMaxAge)
	value(t, reg, "replayctl_replay_sessions", nil)
	if calls.Load() != 2 {
		t.Fatalf("a scrape after MaxAge did not count again")
	}
}

func TestStatsCollectorOmitsFailedCounts(t *testing.T) {
	c := NewStatsCollector(func(context.Context) (map[string]int64, error) { return nil, errors.New("down") }, nil, nil)
	m := NewMetrics()
	m.Registry().MustRegister(c)
	if _, ok := value(t, m.Registry(), "replayctl_replay_sessions", map[string]string{"status": "running"}); ok {
		t.Error("a failed count exported a value")
	}
	if v, _ := value(t, m.Registry(), "replayctl_worker_stats_errors_total", nil); v != 1 {
		t.Errorf("stats errors = %v, want 1", v)
	}
}

// A count that times out (a large DLQ, a slow MongoDB) must not make the
// backlog vanish from dashboards: the last good value stays, the failure
// is counted, and the age metric says how stale the value is.
func TestStatsCollectorKeepsLastGoodCountsWhenACountTimesOut(t *testing.T) {
	now := time.Unix(1000, 0)
	var fail atomic.Bool
	backlog := func(ctx context.Context) (map[string]int64, error) {
		if fail.Load() {
			<-ctx.Done() // the count outlives the scrape's deadline
			return nil, ctx.Err()
		}
		return map[string]int64{"scheduled": 7}, nil
	}
	c := NewStatsCollector(nil, backlog, nil)
	c.Now = func() time.Time { return now }
	c.Timeout = 10 * time.Millisecond
	m := NewMetrics()
	m.Registry().MustRegister(c)
	reg := m.Registry()
	scheduled := map[string]string{"status": "scheduled"}
	if v, ok := value(t, reg, "replayctl_dlq_backlog", scheduled); !ok || v != 7 {
		t.Fatalf("backlog{scheduled} = %v (present %v), want 7", v, ok)
	}

	fail.Store(true)
	now = now.Add(3 * DefaultStatsMaxAge)
	if v, ok := value(t, reg, "replayctl_dlq_backlog", scheduled); !ok || v != 7 {
		t.Errorf("after a timed out count backlog{scheduled} = %v (present %v), want the last good 7", v, ok)
	}
	if v, _ := value(t, reg, "replayctl_worker_stats_errors_total", nil); v != 1 {
		t.Errorf("stats errors = %v, want 1", v)
	}
	age, ok := value(t, reg, "replayctl_worker_stats_age_seconds", map[string]string{"what": "dlq"})
	if want := (3 * DefaultStatsMaxAge).Seconds(); !ok || age != want {
		t.Errorf("stats age = %v (present %v), want %v", age, ok, want)
	}
	if _, ok := value(t, reg, "replayctl_worker_stats_age_seconds", map[string]string{"what": "sessions"}); ok {
		t.Error("age exported for a count that is not configured")
	}
}

func TestMetricsEndpointServesTextFormat(t *testing.T) {
	m := NewMetrics()
	m.Replay().EventsReplayed("s1", "user_login", 1)
	m.DLQ().Received("t")
	m.DLQ().RetryLatency("t", time.Second)
	srv := httptest.NewServer(NewServer("", NewReadiness(), m.Registry(), nil).Handler())
	defer srv.Close()
	code, body := get(t, srv.URL+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`replayctl_replay_events_total{event_type="user_login",result="replayed",session_id="s1"} 1`,
		`replayctl_dlq_messages_total{action="received",topic="t"} 1`,
		"replayctl_worker_sessions_running 0",
		"# TYPE replayctl_dlq_retry_latency_seconds histogram",
		"process_cpu_seconds_total", "go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
