package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
)

// updateBatch is the $in size of the raw update floor, as replayctl uses.
const updateBatch = 500

// retry bulk-retries every message of a dlq_messages collection and compares
// with a raw produce of the same events and a raw update-only of the same
// messages. On FerretDB every updated document costs a scan of the
// collection, so the raw floor grows with size squared: the collection is
// shrunk until that floor takes about cfg.floor (EMBEDDED.md).
func (b *bench) retry(ctx context.Context, cfg config) (result, error) {
	phase("retry: measuring the update cost at %d documents", cfg.calibrateN)
	perDocScan, err := b.calibrate(ctx, cfg.calibrateN)
	if err != nil {
		return result{}, err
	}
	n := cfg.retry
	est := time.Duration(perDocScan * float64(n) * float64(n) * float64(time.Second))
	if est > cfg.floor {
		n = int(math.Sqrt(cfg.floor.Seconds() / perDocScan))
	}
	res := result{work: "bulk retry", size: fmt.Sprintf("%d messages", n), dbOp: "update"}
	if n < cfg.retry {
		res.notes = append(res.notes, fmt.Sprintf("bulk retry: %d messages would take the raw update floor about %s here (%.1f µs per updated document per stored document, measured at %d); shrunk to %d messages for a ~%s floor",
			cfg.retry, est.Round(time.Second), perDocScan*1e6, cfg.calibrateN, n, cfg.floor))
	}
	phase("retry: %.1f µs per updated document per stored document; using %d messages", perDocScan*1e6, n)
	ss := samples(n, time.Now().UTC(), "ret_")
	m := b.manager("bench_retry", "ret_")
	rawColl := b.mongo.Database("bench_retry_raw").Collection("dlq_messages")
	if err := b.seed(ctx, m, rawColl, ss); err != nil {
		return res, err
	}
	phase("retry: raw update-only of %d messages", n)
	if res.rawDB, err = rawUpdate(ctx, rawColl, ss); err != nil {
		return res, err
	}
	phase("retry: raw update %.1f msg/s; raw produce of the same events", res.rawDB)
	if res.rawProduce, err = b.rawProduce(ctx, ss); err != nil {
		return res, err
	}
	phase("retry: raw produce %.0f msg/s; dlq retry --all --status scheduled", res.rawProduce)
	start := time.Now()
	plan, err := m.PlanByFilter(ctx, dlq.ListFilter{Statuses: []contract.DLQStatus{contract.DLQScheduled}}, "")
	if err != nil {
		return res, err
	}
	out, err := m.Retry(ctx, plan, dlq.BatchOptions{})
	if err != nil {
		return res, err
	}
	took := time.Since(start)
	if out.Succeeded != int64(n) {
		return res, fmt.Errorf("retried %d of %d: %d failed, %d refused", out.Succeeded, n, out.Failed, out.Refused)
	}
	res.rate = rate(n, took)
	res.notes = append(res.notes, fmt.Sprintf("bulk retry: plan + retry of %d messages in %s (claims, re-read, send, status update, notifications)", n, took.Round(time.Millisecond)))
	return res, nil
}

// calibrate measures seconds per updated document per stored document.
func (b *bench) calibrate(ctx context.Context, size int) (float64, error) {
	c := b.mongo.Database("bench_calibrate").Collection("dlq_messages")
	ss := samples(size, time.Now().UTC(), "cal_")
	docs := make([]any, size)
	for i, s := range ss {
		docs[i] = s.doc("scheduled", s.failedAt, i)
	}
	if _, err := c.InsertMany(ctx, docs); err != nil {
		return 0, fmt.Errorf("calibrate: %w", err)
	}
	const m = 100
	start := time.Now()
	if _, err := rawUpdate(ctx, c, ss[:m]); err != nil {
		return 0, err
	}
	return time.Since(start).Seconds() / m / float64(size), nil
}

// seed stores the same scheduled, due messages in both collections.
func (b *bench) seed(ctx context.Context, m *dlq.Manager, raw *mongo.Collection, ss []sample) error {
	if err := m.EnsureIndexes(ctx); err != nil {
		return err
	}
	due := time.Now().UTC().Add(-time.Minute)
	for _, c := range []*mongo.Collection{m.Store.DLQ.Collection(), raw} {
		docs := make([]any, len(ss))
		for i, s := range ss {
			docs[i] = s.doc("scheduled", due, i)
		}
		if _, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("seed %s: %w", c.Database().Name(), err)
		}
	}
	return nil
}

// rawUpdate is the update-only floor: the retry's status change with plain
// UpdateMany calls, updateBatch ids per $in.
func rawUpdate(ctx context.Context, c *mongo.Collection, ss []sample) (float64, error) {
	start := time.Now()
	now := time.Now().UTC()
	for i := 0; i < len(ss); i += updateBatch {
		ids := make([]string, 0, updateBatch)
		for _, s := range ss[i:min(i+updateBatch, len(ss))] {
			ids = append(ids, s.id)
		}
		_, err := c.UpdateMany(ctx, bson.D{{Key: "event.event_id", Value: bson.D{{Key: "$in", Value: ids}}}}, bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: "retried"}, {Key: "retried_at", Value: now}, {Key: "last_updated", Value: now}}},
			{Key: "$inc", Value: bson.D{{Key: "retry_count", Value: 1}}},
		})
		if err != nil {
			return 0, fmt.Errorf("raw update: %w", err)
		}
	}
	return rate(len(ss), time.Since(start)), nil
}

// rawProduce is the produce-only floor: the same events, as JSON, keyed by
// event id, to their topics.
func (b *bench) rawProduce(ctx context.Context, ss []sample) (float64, error) {
	recs := make([]*kgo.Record, len(ss))
	for i, s := range ss {
		raw, _ := bson.Marshal(s.event())
		v, err := contract.AppendEventJSON(nil, raw, nil)
		if err != nil {
			return 0, err
		}
		recs[i] = &kgo.Record{Topic: "raw_" + s.topic, Key: []byte(s.id), Value: v}
	}
	start := time.Now()
	if err := b.kafka.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return 0, fmt.Errorf("raw produce: %w", err)
	}
	return rate(len(ss), time.Since(start)), nil
}
