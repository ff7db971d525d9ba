package store

import (
	"context"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/fault"
)

// deleteChunk stays under SQLite's 32,766 bound parameters per statement.
const deleteChunk = 10000

// maxCandidates bounds how many ids an ambiguous prefix lists.
const maxCandidates = 10

// countByField groups a collection by one field with $sum, which both MongoDB
// and the embedded server support.
func countByField(ctx context.Context, c *mongo.Collection, field string) (map[string]int64, error) {
	pipeline := mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: field}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	}
	cur, err := c.Aggregate(ctx, pipeline)
	if err != nil {
		return nil, fmt.Errorf("group %s by %s: %w", c.Name(), field, Wrap(err))
	}
	var rows []struct {
		ID any   `bson:"_id"`
		N  int64 `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("group %s by %s: %w", c.Name(), field, Wrap(err))
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		key, ok := r.ID.(string)
		if !ok {
			key = fmt.Sprint(r.ID)
		}
		out[key] += r.N
	}
	return out, nil
}

func notFound(kind, id string) error {
	return fault.NotFoundf("%s %q not found", kind, id)
}

// resolveOne turns the ids matching a prefix into nil (exactly one), a
// not-found error, or a usage error listing the candidates.
func resolveOne(kind, prefix string, ids []string) error {
	switch {
	case len(ids) == 1:
		return nil
	case len(ids) == 0:
		return notFound(kind, prefix)
	}
	sort.Strings(ids)
	more := len(ids) > maxCandidates
	if more {
		ids = ids[:maxCandidates]
	}
	return &fault.AmbiguousError{What: kind, Prefix: prefix, Candidates: ids, More: more}
}
