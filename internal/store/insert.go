package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// InsertResult says, per document, whether it hit a unique key. Retried is
// true when a busy server made the batch be sent again, so a duplicate may
// be the caller's own earlier partial insert and callers must check
// ownership.
type InsertResult struct {
	Dup     []bool
	Dups    int
	Retried bool
}

// insertUnordered inserts docs in one unordered round trip and reports
// duplicate keys per document; any other write error fails the call. A
// unique-key conflict is how replayctl coordinates (EMBEDDED.md: inserts are
// atomic on both servers), and reporting it costs no lookup.
func insertUnordered(ctx context.Context, c *mongo.Collection, docs []any) (InsertResult, error) {
	res := InsertResult{Dup: make([]bool, len(docs))}
	if len(docs) == 0 {
		return res, nil
	}
	attempt := 0
	err := WithRetry(ctx, func(ctx context.Context) error {
		attempt++
		clear(res.Dup)
		_, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		return classifyInsert(err, res.Dup)
	})
	res.Retried = attempt > 1
	if err != nil {
		return res, fmt.Errorf("insert into %s: %w", c.Name(), Wrap(err))
	}
	for _, d := range res.Dup {
		if d {
			res.Dups++
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

// deleteIDs deletes documents by _id in chunks SQLite can bind.
func deleteIDs[T any](ctx context.Context, c *mongo.Collection, ids []T) (int64, error) {
	var n int64
	for start := 0; start < len(ids); start += deleteChunk {
		part := ids[start:min(start+deleteChunk, len(ids))]
		var res *mongo.DeleteResult
		err := WithRetry(ctx, func(ctx context.Context) error {
			var err error
			res, err = c.DeleteMany(ctx, inIDs(part))
			return err
		})
		if err != nil {
			return n, fmt.Errorf("delete from %s: %w", c.Name(), Wrap(err))
		}
		n += res.DeletedCount
	}
	return n, nil
}
