package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// DLQ is the `dlq_messages` collection, shared with the platform.
type DLQ struct {
	c *mongo.Collection
}

// Collection exposes the collection for the DLQ manager, tests and benchmarks.
func (d *DLQ) Collection() *mongo.Collection { return d.c }

// CountByStatus counts DLQ messages per status.
func (d *DLQ) CountByStatus(ctx context.Context) (map[string]int64, error) {
	counts, err := countByField(ctx, d.c, "$status")
	if err != nil {
		return nil, fmt.Errorf("count DLQ messages: %w", err)
	}
	return counts, nil
}
