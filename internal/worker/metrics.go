package worker

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Event outcomes, the `result` label of replayctl_replay_events_total.
const (
	ResultReplayed = "replayed"
	ResultFailed   = "failed"
	ResultSkipped  = "skipped"
)

// DLQ actions, the `action` label of replayctl_dlq_messages_total.
const (
	ActionReceived    = "received"
	ActionRetried     = "retried"
	ActionDiscarded   = "discarded"
	ActionQuarantined = "quarantined"
)

// Kinds of failed DLQ sends, the `kind` label of
// replayctl_dlq_send_failures_total.
const (
	KindPermanent = "permanent"
	KindTransient = "transient"
)

// DefaultSeriesRetention is how long a finished session's series stay on
// /metrics: long enough for a few scrapes to see the final counts, short
// enough that a worker running for months does not grow without bound.
const DefaultSeriesRetention = time.Hour

// retryLatencyBuckets span an immediate retry (well under a second) to a
// message that waited a day past its next_retry_at while no processor ran.
var retryLatencyBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400}

// Metrics is the worker's Prometheus instrumentation on a registry of its
// own: nothing is registered globally, so tests and several workers in one
// process never collide.
type Metrics struct {
	reg *prometheus.Registry

	replayEvents    *prometheus.CounterVec
	replayLag       *prometheus.GaugeVec
	dlqMessages     *prometheus.CounterVec
	dlqRetryLatency *prometheus.HistogramVec
	dlqSendFailures *prometheus.CounterVec
	sessionsRunning prometheus.Gauge
	// documentsSkipped counts each unreadable stored document once per
	// process, when the worker first meets it.
	documentsSkipped *prometheus.CounterVec

	skips *skipLog

	jobsOnce    sync.Once
	jobMessages *prometheus.CounterVec

	retention time.Duration
	mu        sync.Mutex
	finished  map[string]time.Time // session id -> when its run here ended
}

// NewMetrics registers the worker's metrics and the process and Go runtime
// collectors on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		replayEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replayctl_replay_events_total",
			Help: "Events handled by replay sessions this worker ran, by session, event type and result (replayed, failed, skipped).",
		}, []string{"session_id", "event_type", "result"}),
		replayLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "replayctl_replay_lag_seconds",
			Help: "Now minus the original timestamp of the last event a running session replayed.",
		}, []string{"session_id"}),
		dlqMessages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replayctl_dlq_messages_total",
			Help: "DLQ messages handled by this worker, by original topic and action (received, retried, discarded, quarantined).",
		}, []string{"topic", "action"}),
		dlqRetryLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "replayctl_dlq_retry_latency_seconds",
			Help:    "Time from a DLQ message's failure (or its next_retry_at) to its retry.",
			Buckets: retryLatencyBuckets,
		}, []string{"topic"}),
		dlqSendFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replayctl_dlq_send_failures_total",
			Help: "DLQ messages whose send back to their topic failed, by kind: permanent (unknown topic, authorization, too large; needs an operator) or transient.",
		}, []string{"kind"}),
		sessionsRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "replayctl_worker_sessions_running",
			Help: "Replay sessions this worker is running now.",
		}),
		documentsSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replayctl_documents_skipped_total",
			Help: "Stored documents the worker could not read and skipped (written by other software with wrong types), counted once per document per process, by collection.",
		}, []string{"collection"}),
		skips:     newSkipLog(),
		retention: DefaultSeriesRetention,
		finished:  map[string]time.Time{},
	}
	// Both kinds exist from the start, so an alert on their increase sees
	// the first failure.
	m.dlqSendFailures.WithLabelValues(KindPermanent)
	m.dlqSendFailures.WithLabelValues(KindTransient)
	m.reg.MustRegister(m.replayEvents, m.replayLag, m.dlqMessages, m.dlqRetryLatency, m.dlqSendFailures, m.sessionsRunning, m.documentsSkipped,
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector())
	return m
}

// Registry is what /metrics serves; further collectors (the store's
// counts) are registered on it too.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Replay returns the hooks the replay engine feeds (replay.Metrics).
func (m *Metrics) Replay() *ReplayMetrics { return &ReplayMetrics{m: m} }

// DLQ returns the hooks the DLQ processor feeds (dlq.Metrics).
func (m *Metrics) DLQ() *DLQMetrics { return &DLQMetrics{m: m} }

func (m *Metrics) runStarted(sessionID string) {
	m.sessionsRunning.Inc()
	m.mu.Lock()
	delete(m.finished, sessionID)
	m.mu.Unlock()
}

// runEnded drops the session's lag at once (a gauge of a session nobody
// runs here would lie) and schedules its counters for pruning.
func (m *Metrics) runEnded(sessionID string, now time.Time) {
	m.sessionsRunning.Dec()
	m.replayLag.DeleteLabelValues(sessionID)
	m.mu.Lock()
	m.finished[sessionID] = now
	m.mu.Unlock()
}

// prune forgets the series of sessions whose run here ended more than the
// retention ago.
func (m *Metrics) prune(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, at := range m.finished {
		if now.Sub(at) >= m.retention {
			m.replayEvents.DeletePartialMatch(prometheus.Labels{"session_id": id})
			delete(m.finished, id)
		}
	}
}
