package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/integr8scode/replayctl/internal/dlqjob"
)

// JobMetrics counts redrive job messages (dlqjob.Metrics):
// replayctl_dlq_job_messages_total{kind,result}.
type JobMetrics struct{ c *prometheus.CounterVec }

var _ dlqjob.Metrics = (*JobMetrics)(nil)

// Jobs returns the hooks the job runner feeds, registered on first use.
func (m *Metrics) Jobs() *JobMetrics {
	m.jobsOnce.Do(func() {
		m.jobMessages = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "replayctl_dlq_job_messages_total",
			Help: "Messages handled by DLQ redrive jobs this worker ran, by kind (retry, discard) and result (done, failed, refused, possible_duplicate).",
		}, []string{"kind", "result"})
		m.reg.MustRegister(m.jobMessages)
	})
	return &JobMetrics{c: m.jobMessages}
}

// Messages implements dlqjob.Metrics.
func (j *JobMetrics) Messages(kind dlqjob.Kind, result string, n int64) {
	j.c.WithLabelValues(string(kind), result).Add(float64(n))
}

// JobsCollector exports replayctl_dlq_jobs{status}, counted when scraped
// (at most once per DefaultStatsMaxAge; the collection is small), every
// known status present, zero when absent; a failed count keeps the last
// good one.
type JobsCollector struct {
	count  CountFunc
	desc   *prometheus.Desc
	logger *slog.Logger

	mu     sync.Mutex
	at     time.Time
	cached map[string]int64
}

// NewJobsCollector counts jobs with count.
func NewJobsCollector(count CountFunc, logger *slog.Logger) *JobsCollector {
	return &JobsCollector{count: count, logger: logger,
		desc: prometheus.NewDesc("replayctl_dlq_jobs", "DLQ redrive jobs in the database by status (counted at scrape time).", []string{"status"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *JobsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *JobsCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached == nil || time.Since(c.at) >= DefaultStatsMaxAge {
		ctx, cancel := context.WithTimeout(context.Background(), DefaultStatsTimeout)
		counts, err := c.count(ctx)
		cancel()
		if err == nil {
			c.cached, c.at = counts, time.Now()
		} else if c.logger != nil {
			c.logger.Warn("cannot count DLQ jobs for /metrics", "error", err)
		}
	}
	known := make([]string, len(dlqjob.Statuses))
	for i, s := range dlqjob.Statuses {
		known[i] = string(s)
	}
	emit(ch, c.desc, c.cached, known)
}
