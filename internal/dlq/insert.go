package dlq

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/store"
)

// insertResult says, per document, whether it hit a unique key; retried is
// true when a busy server made us send the batch again, so a duplicate may
// be our own earlier partial insert and callers must check ownership.
type insertResult struct {
	dup     []bool
	dups    int
	retried bool
}

// insertUnordered inserts docs in one unordered round trip and reports
// duplicate keys per document; any other write error fails the call.
func insertUnordered(ctx context.Context, c *mongo.Collection, docs []any) (insertResult, error) {
	res := insertResult{dup: make([]bool, len(docs))}
	if len(docs) == 0 {
		return res, nil
	}
	attempt := 0
	err := store.WithRetry(ctx, func(ctx context.Context) error {
		attempt++
		clear(res.dup)
		_, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		return classifyInsert(err, res.dup)
	})
	res.retried = attempt > 1
	if err != nil {
		return res, fmt.Errorf("insert into %s: %w", c.Name(), store.Wrap(err))
	}
	for _, d := range res.dup {
		if d {
			res.dups++
		}
	}
	return res, nil
}

// classifyInsert marks duplicate-key write errors in dup and returns nil
// when those are the only errors.
func classifyInsert(err error, dup []bool) error {
	if err == nil {
		return nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return err
	}
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) || we.Index < 0 || we.Index >= len(dup) {
			return err
		}
		dup[we.Index] = true
	}
	return nil
}
