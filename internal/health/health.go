// Package health checks whether replayctl can work: which servers answer and
// what the shared collections hold. `status` prints it; the worker's /readyz
// serves it.
package health

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/store"
)

// Deps connect to the servers; they are the factory's lazy constructors.
type Deps struct {
	Store    func(ctx context.Context) (*store.Store, error)
	Kafka    func(ctx context.Context) (*kgo.Client, error)
	MongoURI string
	Database string
	Brokers  []string
	// CountTimeout bounds the counts; zero, or more than the context
	// allows, leaves them what remains of the context but a reserve (a
	// quarter, at least half up to 1 s), so a count that runs out still
	// leaves time to ask whether the server answers at all (the driver
	// returns a timed out read some time after its deadline).
	CountTimeout time.Duration
}

// Report is what `status` shows; its JSON shape is a stable interface.
type Report struct {
	MongoDB        MongoReport  `json:"mongodb"`
	Kafka          KafkaReport  `json:"kafka"`
	Events         *EventCounts `json:"events,omitempty"`
	ReplaySessions *Counts      `json:"replay_sessions,omitempty"`
	DLQMessages    *Counts      `json:"dlq_messages,omitempty"`
	// SlowCounts names the counts (events, replay_sessions, dlq_messages)
	// that did not finish within CountTimeout although MongoDB answered.
	SlowCounts   []string  `json:"slow_counts,omitempty"`
	CountTimeout string    `json:"count_timeout,omitempty"`
	CheckedAt    time.Time `json:"checked_at"`
}

// MongoReport describes the MongoDB connection.
type MongoReport struct {
	Reachable bool   `json:"reachable"`
	URI       string `json:"uri"`
	Database  string `json:"database"`
	Version   string `json:"version,omitempty"`
	// Slow is set when the server answers but some counts timed out: a
	// large collection, not an outage.
	Slow  bool   `json:"slow,omitempty"`
	Error string `json:"error,omitempty"`
	err   error
}

// KafkaReport describes the Kafka connection.
type KafkaReport struct {
	Reachable bool     `json:"reachable"`
	Brokers   []string `json:"brokers"`
	Topics    int      `json:"topics"`
	Error     string   `json:"error,omitempty"`
	err       error
}

// EventCounts describes the event store.
type EventCounts struct {
	Total int64 `json:"total"`
}

// Counts is a total with a per-status breakdown.
type Counts struct {
	Total    int64            `json:"total"`
	ByStatus map[string]int64 `json:"by_status"`
}

// Err returns the first connection failure, or nil when both servers answered.
func (r *Report) Err() error {
	if r.MongoDB.err != nil {
		return r.MongoDB.err
	}
	return r.Kafka.err
}

// Gather checks both servers concurrently, so an unreachable one costs the
// timeout once, not twice.
func Gather(ctx context.Context, d Deps) *Report {
	r := &Report{
		MongoDB:   MongoReport{URI: config.RedactURI(d.MongoURI), Database: d.Database},
		Kafka:     KafkaReport{Brokers: d.Brokers},
		CheckedAt: time.Now().UTC(),
	}
	var wg sync.WaitGroup
	wg.Go(func() { gatherMongo(ctx, d, r) })
	wg.Go(func() { gatherKafka(ctx, d, &r.Kafka) })
	wg.Wait()
	return r
}

func gatherMongo(ctx context.Context, d Deps, r *Report) {
	st, err := d.Store(ctx)
	if err == nil {
		r.MongoDB.Version, err = st.ServerVersion(ctx)
	}
	if err != nil {
		r.MongoDB.err, r.MongoDB.Error = err, err.Error()
		return
	}
	r.MongoDB.Reachable = true
	budget := countBudget(ctx, d.CountTimeout)
	countCtx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	errs := countAll(countCtx, st, r)
	countErr := cmp.Or(errs.events, errs.sessions, errs.dlq)
	if countErr == nil {
		return
	}
	// A count that ran out of time says nothing about the server; a ping
	// with the time left does.
	var pingErr error
	if IsTimeout(countErr) {
		pingErr = st.Ping(ctx)
	}
	switch ClassifyCount(pingErr, countErr) {
	case CountSlow:
		r.MongoDB.Slow = true
		r.CountTimeout = budget.Round(time.Millisecond).String()
		for _, c := range []struct {
			name string
			err  error
		}{{"events", errs.events}, {"replay_sessions", errs.sessions}, {"dlq_messages", errs.dlq}} {
			switch {
			case IsTimeout(c.err):
				r.SlowCounts = append(r.SlowCounts, c.name)
			case c.err != nil: // refused beside a slow one: still a failure
				r.MongoDB.err, r.MongoDB.Error = c.err, c.err.Error()
			}
		}
	case CountUnreachable:
		r.MongoDB.Reachable = false
		r.MongoDB.err, r.MongoDB.Error = pingErr, pingErr.Error()
	default:
		r.MongoDB.err, r.MongoDB.Error = countErr, countErr.Error()
	}
}

// countBudget is how long the counts may take: set when given, else
// 10 s, but never more than the context's time left less a reserve (a
// quarter, at least half up to 1 s) for the ping that tells a slow count
// from an unreachable server; a set value above that would report a slow
// count as an outage.
func countBudget(ctx context.Context, set time.Duration) time.Duration {
	budget := cmp.Or(set, 10*time.Second)
	if deadline, ok := ctx.Deadline(); ok {
		left := time.Until(deadline)
		reserve := max(left/4, min(left/2, time.Second))
		avail := max(left-reserve, time.Millisecond)
		if set <= 0 || set > avail {
			budget = avail
		}
	}
	return budget
}

// CountState is how a count ended, as status reports it.
type CountState int

// Count outcomes.
const (
	CountOK          CountState = iota
	CountSlow                   // MongoDB answers; the count ran out of time
	CountUnreachable            // MongoDB does not answer
	CountFailed                 // MongoDB refused the count (e.g. not authorized)
)

// ClassifyCount tells a slow count from an outage: a count that timed out
// while a ping still succeeds is slow, and only a failed ping makes MongoDB
// unreachable. pingErr is the ping made after the count failed.
func ClassifyCount(pingErr, countErr error) CountState {
	switch {
	case countErr == nil:
		return CountOK
	case !IsTimeout(countErr):
		return CountFailed
	case pingErr != nil:
		return CountUnreachable
	}
	return CountSlow
}

// IsTimeout reports an error that may be only slowness: a deadline, the
// server's MaxTimeMSExpired (50), or what store.Wrap made of either (it
// classifies them, with network errors, as unavailable).
func IsTimeout(err error) bool {
	var u *fault.UnavailableError
	return errors.Is(err, context.DeadlineExceeded) || mongo.IsTimeout(err) || errors.As(err, &u)
}

type countErrs struct{ events, sessions, dlq error }

// countAll runs the three counts side by side: each is a round trip, and
// the by-status ones read their whole (small) collection on the embedded
// server, so in sequence their latencies would add up. Each count that
// finishes is reported even when another does not.
func countAll(ctx context.Context, st *store.Store, r *Report) countErrs {
	var (
		total         int64
		sessions, dlq map[string]int64
		errs          countErrs
		wg            sync.WaitGroup
	)
	wg.Go(func() { total, errs.events = st.Events.Count(ctx, contract.Filter{}) })
	wg.Go(func() { sessions, errs.sessions = st.Sessions.CountByStatus(ctx) })
	wg.Go(func() { dlq, errs.dlq = st.DLQ.CountByStatus(ctx) })
	wg.Wait()
	if errs.events == nil {
		r.Events = &EventCounts{Total: total}
	}
	if errs.sessions == nil {
		r.ReplaySessions = newCounts(sessions)
	}
	if errs.dlq == nil {
		r.DLQMessages = newCounts(dlq)
	}
	return errs
}

func gatherKafka(ctx context.Context, d Deps, r *KafkaReport) {
	cl, err := d.Kafka(ctx)
	if err == nil {
		var info kafka.ClusterInfo
		if info, err = kafka.Describe(ctx, cl, d.Brokers); err == nil {
			r.Reachable, r.Brokers, r.Topics = true, info.Brokers, len(info.Topics)
			return
		}
	}
	r.err, r.Error = err, err.Error()
}

func newCounts(by map[string]int64) *Counts {
	c := &Counts{ByStatus: by}
	for _, n := range by {
		c.Total += n
	}
	return c
}
