package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/integr8scode/replayctl/internal/contract"
)

// CountFunc counts documents by status (the store's CountByStatus).
type CountFunc func(ctx context.Context) (map[string]int64, error)

// Defaults of the store counts collector.
const (
	// DefaultStatsTimeout bounds one count during a scrape, so a slow or
	// absent MongoDB never makes Prometheus time out on /metrics.
	DefaultStatsTimeout = 2 * time.Second
	// DefaultStatsMaxAge caches counts between scrapes: on the embedded
	// server each count is a scan of the collection.
	DefaultStatsMaxAge = 5 * time.Second
)

// StatsCollector (built by NewStatsCollector) exports replayctl_replay_sessions{status} and
// replayctl_dlq_backlog{status}, counted in MongoDB when Prometheus scrapes
// (at most once per MaxAge). Every known status is exported, zero when
// absent, so a status that empties shows 0 rather than vanishing. When a
// count fails (a large DLQ that does not count within Timeout, MongoDB
// away) the gauge keeps its last good value rather than vanishing, which
// would read as "no backlog" on a dashboard;
// replayctl_worker_stats_errors_total grows, and
// replayctl_worker_stats_age_seconds says how old the value is. A count
// that never succeeded is not exported.
type StatsCollector struct {
	Sessions, DLQ CountFunc
	Timeout       time.Duration
	MaxAge        time.Duration
	Logger        *slog.Logger
	Now           func() time.Time

	sessionsDesc, backlogDesc, ageDesc *prometheus.Desc
	errors                             prometheus.Counter

	mu      sync.Mutex
	at      time.Time
	cached  [2]map[string]int64 // sessions, dlq: the last good counts; nil before the first
	good    [2]time.Time        // when each was counted
	started bool
}

// statsKinds name the two counts in replayctl_worker_stats_age_seconds.
var statsKinds = [2]string{"sessions", "dlq"}

// NewStatsCollector returns a collector over the two counts; either may be
// nil to export nothing for it.
func NewStatsCollector(sessions, dlq CountFunc, logger *slog.Logger) *StatsCollector {
	return &StatsCollector{
		Sessions: sessions, DLQ: dlq, Timeout: DefaultStatsTimeout, MaxAge: DefaultStatsMaxAge,
		Logger: logger, Now: time.Now,
		sessionsDesc: prometheus.NewDesc("replayctl_replay_sessions",
			"Replay sessions in the database by status (counted at scrape time).", []string{"status"}, nil),
		backlogDesc: prometheus.NewDesc("replayctl_dlq_backlog",
			"DLQ messages in the database by status (counted at scrape time).", []string{"status"}, nil),
		ageDesc: prometheus.NewDesc("replayctl_worker_stats_age_seconds",
			"Age of the exported session (what=sessions) and DLQ (what=dlq) counts: grows while counting fails and the last good value is kept.",
			[]string{"what"}, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "replayctl_worker_stats_errors_total",
			Help: "Scrapes whose session or DLQ counts could not be read from MongoDB.",
		}),
	}
}

// Describe implements prometheus.Collector.
func (c *StatsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.sessionsDesc
	ch <- c.backlogDesc
	ch <- c.ageDesc
	c.errors.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c *StatsCollector) Collect(ch chan<- prometheus.Metric) {
	counts, good, now := c.counts()
	emit(ch, c.sessionsDesc, counts[0], sessionStatusNames())
	emit(ch, c.backlogDesc, counts[1], dlqStatusNames())
	for i, at := range good {
		if counts[i] != nil {
			ch <- prometheus.MustNewConstMetric(c.ageDesc, prometheus.GaugeValue, now.Sub(at).Seconds(), statsKinds[i])
		}
	}
	ch <- c.errors
}

func (c *StatsCollector) counts() (counts [2]map[string]int64, good [2]time.Time, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now = time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	if c.started && now.Sub(c.at) < c.MaxAge {
		return c.cached, c.good, now
	}
	c.started, c.at = true, now
	for i, fn := range [2]CountFunc{c.Sessions, c.DLQ} {
		if m := c.count(statsKinds[i], fn); m != nil {
			c.cached[i], c.good[i] = m, now
		}
	}
	return c.cached, c.good, now
}

func (c *StatsCollector) count(what string, fn CountFunc) map[string]int64 {
	if fn == nil {
		return nil
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultStatsTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	m, err := fn(ctx)
	if err != nil {
		c.errors.Inc()
		if c.Logger != nil {
			c.Logger.Debug("count for metrics failed", "what", what, "error", err)
		}
		return nil
	}
	return m
}

func emit(ch chan<- prometheus.Metric, desc *prometheus.Desc, counts map[string]int64, known []string) {
	if counts == nil {
		return
	}
	seen := make(map[string]bool, len(known))
	for _, s := range known {
		seen[s] = true
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(counts[s]), s)
	}
	// The platform may add statuses; show them rather than drop them.
	for s, n := range counts {
		if !seen[s] {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(n), s)
		}
	}
}

func sessionStatusNames() []string {
	out := make([]string, len(contract.SessionStatuses))
	for i, s := range contract.SessionStatuses {
		out[i] = string(s)
	}
	return out
}

func dlqStatusNames() []string {
	out := make([]string, len(contract.DLQStatuses))
	for i, s := range contract.DLQStatuses {
		out[i] = string(s)
	}
	return out
}
