package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/store"
)

// manager builds a DLQ manager on database db with topics under prefix.
func (b *bench) manager(db, prefix string) *dlq.Manager {
	return &dlq.Manager{
		Store:       store.FromClient(b.mongo, store.Options{Database: db}),
		Kafka:       b.kafka,
		TopicPrefix: prefix,
		DLQTopic:    prefix + contract.DefaultDLQTopic,
		Owner:       "bench",
		Logger:      benchLogger(),
		NewConsumer: func(opts ...kgo.Opt) (*kgo.Client, error) {
			return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.brokers...), kgo.AllowAutoTopicCreation(), kgo.FetchMaxBytes(64 << 20)}, opts...)...)
		},
	}
}

// ingest produces n DLQ topic records (the raw produce rate), inserts the
// documents they become with one plain InsertMany (the raw insert rate), and
// times `dlq process --once` over the records.
func (b *bench) ingest(ctx context.Context, n int) (result, error) {
	res := result{work: "ingest", size: fmt.Sprintf("%d records", n), dbOp: "insert"}
	ss := samples(n, time.Now().UTC(), "ing_")
	m := b.manager("bench_ingest", "ing_")
	raw := b.manager("bench_ingest_raw", "ing_")
	for _, mm := range []*dlq.Manager{m, raw} {
		if err := mm.EnsureIndexes(ctx); err != nil { // setup, as the platform has them
			return res, err
		}
	}
	recs := make([]*kgo.Record, n)
	for i, s := range ss {
		recs[i] = &kgo.Record{Topic: m.DLQTopic, Key: []byte(s.id), Value: s.recordValue()}
	}
	phase("ingest: producing %d DLQ topic records (raw produce)", n)
	start := time.Now()
	if err := b.kafka.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return res, fmt.Errorf("produce DLQ records: %w", err)
	}
	res.rawProduce = rate(n, time.Since(start))
	phase("ingest: raw produce %.0f msg/s; inserting the %d documents with InsertMany (raw insert)", res.rawProduce, n)

	docs := make([]any, n)
	for i, s := range ss {
		docs[i] = s.doc("scheduled", s.failedAt.Add(time.Minute), i)
	}
	start = time.Now()
	if _, err := raw.Store.DLQ.Collection().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		return res, fmt.Errorf("raw insert: %w", err)
	}
	res.rawDB = rate(n, time.Since(start))
	phase("ingest: raw insert %.0f msg/s; running dlq process --once", res.rawDB)

	start = time.Now()
	var persisted time.Duration // when every record had been persisted
	st, err := m.Process(ctx, dlq.ProcessOptions{Once: true, Group: "bench-dlq", Progress: func(s dlq.ProcessStats) {
		if persisted == 0 && s.Received+s.Dropped+s.Quarantined+s.Duplicates >= int64(n) {
			persisted = time.Since(start)
		}
	}})
	if err != nil {
		return res, fmt.Errorf("process: %w", err)
	}
	took := time.Since(start)
	res.rate = rate(n, took)
	phase("ingest: process --once %.0f msg/s", res.rate)
	got := st.Received + st.Dropped + st.Quarantined + st.Duplicates
	if got != int64(n) {
		return res, fmt.Errorf("process accounted for %d of %d records: %+v", got, n, st)
	}
	res.notes = append(res.notes,
		fmt.Sprintf("ingest: `dlq process --once` over %d records took %s: %d scheduled, %d retried at once (immediate policy), %d discarded (max retries), %d notifications",
			n, took.Round(time.Millisecond), st.Scheduled, st.Retried, st.Discarded, st.Received+st.Retried+st.Discarded),
		fmt.Sprintf("ingest: every record was persisted %s into the pass (%.0f msg/s); the pass starts with the due-retry query over the messages stored before it (none here; on FerretDB it reads every stored document)",
			persisted.Round(time.Millisecond), rate(n, persisted)))
	return res, nil
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// benchLogger logs the manager's debug lines when DLQ_BENCH_LOG is set.
func benchLogger() *slog.Logger {
	if os.Getenv("DLQ_BENCH_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
