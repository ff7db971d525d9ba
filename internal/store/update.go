package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// updateOne applies update to the first document matching filter, retrying
// while the database is locked, and reports whether one matched.
func updateOne(ctx context.Context, c *mongo.Collection, filter, update bson.D) (bool, error) {
	var matched bool
	err := WithRetry(ctx, func(ctx context.Context) error {
		res, err := c.UpdateOne(ctx, filter, update)
		if err == nil {
			matched = res.MatchedCount > 0
		}
		return err
	})
	return matched, err
}

// setDoc is the $set update of fields.
func setDoc(fields bson.D) bson.D { return bson.D{{Key: "$set", Value: fields}} }
