// Package health checks whether replayctl can work: which servers answer and
// what the shared collections hold. `status` prints it; the worker's /readyz
// serves it.
package health

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
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
}

// Report is what `status` shows; its JSON shape is a stable interface.
type Report struct {
	MongoDB        MongoReport  `json:"mongodb"`
	Kafka          KafkaReport  `json:"kafka"`
	Events         *EventCounts `json:"events,omitempty"`
	ReplaySessions *Counts      `json:"replay_sessions,omitempty"`
	DLQMessages    *Counts      `json:"dlq_messages,omitempty"`
	CheckedAt      time.Time    `json:"checked_at"`
}

// MongoReport describes the MongoDB connection.
type MongoReport struct {
	Reachable bool   `json:"reachable"`
	URI       string `json:"uri"`
	Database  string `json:"database"`
	Version   string `json:"version,omitempty"`
	Error     string `json:"error,omitempty"`
	err       error
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
	if err := countAll(ctx, st, r); err != nil {
		r.MongoDB.err, r.MongoDB.Error = err, err.Error()
	}
}

// countAll runs the three counts side by side: each is a round trip, and
// the by-status ones read their whole (small) collection on the embedded
// server, so in sequence their latencies would add up.
func countAll(ctx context.Context, st *store.Store, r *Report) error {
	var (
		total            int64
		sessions, dlq    map[string]int64
		errT, errS, errD error
		wg               sync.WaitGroup
	)
	wg.Go(func() { total, errT = st.Events.Count(ctx, contract.Filter{}) })
	wg.Go(func() { sessions, errS = st.Sessions.CountByStatus(ctx) })
	wg.Go(func() { dlq, errD = st.DLQ.CountByStatus(ctx) })
	wg.Wait()
	// One error, not all three: they share a cause, and status prints one line.
	if err := cmp.Or(errT, errS, errD); err != nil {
		return err
	}
	r.Events = &EventCounts{Total: total}
	r.ReplaySessions = newCounts(sessions)
	r.DLQMessages = newCounts(dlq)
	return nil
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
