package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// collectionTotal counts every document of c from the collection's
// statistics. Both servers keep them: MongoDB in its metadata (as
// estimatedDocumentCount does), the embedded server by counting the table's
// cells in SQLite, which is exact and needs no decoding, whereas its count
// command, estimatedDocumentCount included, decodes every document (at
// 100,000 events about 0.1 s against several seconds). A server or role
// without $collStats gets estimatedDocumentCount.
func collectionTotal(ctx context.Context, c *mongo.Collection) (int64, error) {
	if n, err := collStatsCount(ctx, c); err == nil {
		return n, nil
	}
	return c.EstimatedDocumentCount(ctx)
}

func collStatsCount(ctx context.Context, c *mongo.Collection) (int64, error) {
	stage := bson.D{{Key: "$collStats", Value: bson.D{{Key: "count", Value: bson.D{}}}}}
	cur, err := c.Aggregate(ctx, mongo.Pipeline{stage}, withMaxTime(ctx))
	if err != nil {
		return 0, err
	}
	var out []struct {
		Count int64 `bson:"count"`
	}
	if err := cur.All(ctx, &out); err != nil {
		return 0, err
	}
	var n int64
	for _, o := range out { // one document per shard on a sharded cluster
		n += o.Count
	}
	return n, nil
}

// NoStatus is the by-status key of documents without a status field.
const NoStatus = "(none)"

// countPerStatus counts c's documents per status without reading the
// documents: the $match on the known statuses lets MongoDB scan the
// {status: 1} index within those bounds, and since the $group needs only
// status, the scan is covered (no document is fetched). Grouping the whole
// collection instead reads every document, which on a large DLQ does not
// fit a metrics tick. Statuses the platform added since are found by
// comparing with the collection's total from its statistics (no scan on
// either server); only when some documents are unaccounted for are the
// others grouped (their $nin is index-bounded too). The aggregations carry
// maxTimeMS from ctx's deadline, so the server stops a count nobody waits
// for. On the embedded server this is one scan, as the single $group was.
func countPerStatus(ctx context.Context, c *mongo.Collection, known []string) (map[string]int64, error) {
	out := map[string]int64{}
	var (
		total      int64
		errK, errT error
		wg         sync.WaitGroup
	)
	wg.Go(func() {
		errK = groupStatuses(ctx, c, bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: known}}}}, out)
	})
	wg.Go(func() {
		total, errT = collectionTotal(ctx, c)
		errT = Wrap(errT)
	})
	wg.Wait()
	if err := errors.Join(errK, errT); err != nil {
		return nil, fmt.Errorf("count %s by status: %w", c.Name(), err)
	}
	for _, n := range out {
		total -= n
	}
	if total <= 0 {
		return out, nil
	}
	others := bson.D{{Key: "status", Value: bson.D{{Key: "$nin", Value: known}}}}
	if err := groupStatuses(ctx, c, others, out); err != nil {
		return nil, fmt.Errorf("count %s by status: %w", c.Name(), err)
	}
	return out, nil
}

// groupStatuses adds the per-status counts of the documents matching
// filter to out; documents without a status count under NoStatus.
func groupStatuses(ctx context.Context, c *mongo.Collection, filter bson.D, out map[string]int64) error {
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: filter}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$status"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	}
	cur, err := c.Aggregate(ctx, pipeline, withMaxTime(ctx))
	if err != nil {
		return Wrap(err)
	}
	var rows []struct {
		ID bson.RawValue `bson:"_id"`
		N  int64         `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return Wrap(err)
	}
	for _, r := range rows {
		key, ok := r.ID.StringValueOK()
		switch {
		case r.ID.Type == bson.TypeNull || r.ID.Type == 0:
			key = NoStatus
		case !ok:
			var v any
			if r.ID.Unmarshal(&v) == nil {
				key = fmt.Sprint(v)
			} else {
				key = r.ID.String()
			}
		}
		out[key] += r.N
	}
	return nil
}

// withMaxTime passes ctx's deadline to the server as maxTimeMS. The driver
// does that itself for counts but leaves it off aggregations (their cursors
// may outlive one call); these ones read their whole answer at once, and a
// count the server goes on computing after the caller gave up is load that
// helps nobody.
func withMaxTime(ctx context.Context) *options.AggregateOptionsBuilder {
	o := options.Aggregate()
	deadline, ok := ctx.Deadline()
	if !ok {
		return o
	}
	ms := max(time.Until(deadline).Milliseconds(), 1)
	//lint:ignore SA1019 the driver offers no other way to send maxTimeMS with an aggregation
	return o.SetCustom(bson.M{"maxTimeMS": ms})
}
