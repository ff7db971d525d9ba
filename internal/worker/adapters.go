package worker

import (
	"log/slog"
	"time"

	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

// ReplayMetrics implements replay.Metrics on the worker's registry.
type ReplayMetrics struct{ m *Metrics }

var _ replay.Metrics = (*ReplayMetrics)(nil)

func (r *ReplayMetrics) add(sessionID, eventType, result string, n int) {
	if n > 0 {
		r.m.replayEvents.WithLabelValues(sessionID, eventType, result).Add(float64(n))
	}
}

// EventsReplayed counts events the target acknowledged.
func (r *ReplayMetrics) EventsReplayed(sessionID, eventType string, n int) {
	r.add(sessionID, eventType, ResultReplayed, n)
}

// EventsFailed counts events that could not be delivered.
func (r *ReplayMetrics) EventsFailed(sessionID, eventType string, n int) {
	r.add(sessionID, eventType, ResultFailed, n)
}

// EventsSkipped counts stored documents that were not valid events.
func (r *ReplayMetrics) EventsSkipped(sessionID, eventType string, n int) {
	r.add(sessionID, eventType, ResultSkipped, n)
}

// Lag records how far behind the wall clock a session's position is.
func (r *ReplayMetrics) Lag(sessionID string, d time.Duration) {
	r.m.replayLag.WithLabelValues(sessionID).Set(d.Seconds())
}

// DLQMetrics implements dlq.Metrics on the worker's registry.
type DLQMetrics struct{ m *Metrics }

var (
	_ dlq.Metrics      = (*DLQMetrics)(nil)
	_ dlq.SkipReporter = (*DLQMetrics)(nil)
)

// DocumentsSkipped warns once per unreadable DLQ document and counts it,
// however often the processor's polls meet it.
func (d *DLQMetrics) DocumentsSkipped(log *slog.Logger, skipped []store.Skipped) {
	d.m.skips.report(log, d.m, skipped)
}

func (d *DLQMetrics) inc(topic, action string) {
	d.m.dlqMessages.WithLabelValues(topic, action).Inc()
}

// Received counts messages stored from the DLQ topic.
func (d *DLQMetrics) Received(topic string) { d.inc(topic, ActionReceived) }

// Retried counts messages sent back to their topic.
func (d *DLQMetrics) Retried(topic string) { d.inc(topic, ActionRetried) }

// Discarded counts messages given up on.
func (d *DLQMetrics) Discarded(topic string) { d.inc(topic, ActionDiscarded) }

// Quarantined counts DLQ topic records that were not valid messages.
func (d *DLQMetrics) Quarantined(topic string) { d.inc(topic, ActionQuarantined) }

// RetryLatency observes the time from failure (or due time) to retry.
func (d *DLQMetrics) RetryLatency(topic string, latency time.Duration) {
	d.m.dlqRetryLatency.WithLabelValues(topic).Observe(max(latency, 0).Seconds())
}

// SendFailed counts a message whose send failed, by kind.
func (d *DLQMetrics) SendFailed(permanent bool) {
	kind := KindTransient
	if permanent {
		kind = KindPermanent
	}
	d.m.dlqSendFailures.WithLabelValues(kind).Inc()
}
