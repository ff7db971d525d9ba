package seed

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SeedURI connects to the MongoDB at uri and seeds database there, so callers
// such as `replayctl dev` need no driver code of their own.
func SeedURI(ctx context.Context, uri, database string, opts Options) (Result, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return Result{}, fmt.Errorf("seed: connect %s: %w", uri, err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	return Seed(ctx, client.Database(database), opts)
}
