package main

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// dueProbe times variants of the due-retry query on a collection seeded to
// stored documents (none due): on FerretDB each is a full scan, sorted or not.
func (b *bench) dueProbe(ctx context.Context, stored int) error {
	m := b.manager("bench_dueprobe", "dp_")
	if err := m.EnsureIndexes(ctx); err != nil {
		return err
	}
	ss := samples(stored, time.Now().UTC(), "dp_")
	if err := insertDocs(ctx, m, ss, 0); err != nil {
		return err
	}
	c := m.Store.DLQ.Collection()
	q := bson.D{{Key: "status", Value: "scheduled"}, {Key: "next_retry_at", Value: bson.D{{Key: "$lte", Value: time.Now()}}}}
	proj := bson.D{{Key: "_id", Value: 1}, {Key: "event.event_id", Value: 1}}
	variants := []struct {
		name string
		opts *options.FindOptionsBuilder
	}{
		{"sorted+limit (current)", options.Find().SetSort(bson.D{{Key: "next_retry_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(5000).SetBatchSize(1000)},
		{"unsorted", options.Find().SetBatchSize(1000)},
		{"unsorted+projection", options.Find().SetProjection(proj).SetBatchSize(1000)},
		{"sorted+limit (current) again", options.Find().SetSort(bson.D{{Key: "next_retry_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(5000).SetBatchSize(1000)},
	}
	for _, v := range variants {
		start := time.Now()
		cur, err := c.Find(ctx, q, v.opts)
		if err != nil {
			return err
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			return err
		}
		fmt.Printf("due probe at %d stored: %-30s %d docs in %s\n", stored, v.name, len(docs), time.Since(start).Round(time.Millisecond))
	}
	return nil
}
