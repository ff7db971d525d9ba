package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
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
	cur, err := c.Aggregate(ctx, mongo.Pipeline{stage})
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
