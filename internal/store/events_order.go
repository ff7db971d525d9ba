package store

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
)

// RecommendedEventsIndex is the index that serves the replay order for
// every filter: with it a replay reads in order instead of sorting every
// matching event first.
var RecommendedEventsIndex = bson.D{{Key: "timestamp", Value: 1}, {Key: "_id", Value: 1}}

// RecommendedEventsIndexText is RecommendedEventsIndex as operators write it.
const RecommendedEventsIndexText = "{timestamp: 1, _id: 1}"

// Cursor error codes after which a query can simply be issued again: the
// server dropped the cursor (idle past cursorTimeoutMillis, killed by an
// operator or a failover), not the query.
const (
	codeCursorNotFound  = 43
	codeQueryPlanKilled = 175
	codeCursorKilled    = 237
)

// IsCursorLost reports a cursor the server no longer has. The events are
// still there: reopen the query from the last document read.
func IsCursorLost(err error) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	return se.HasErrorCode(codeCursorNotFound) || se.HasErrorCode(codeQueryPlanKilled) || se.HasErrorCode(codeCursorKilled)
}

// SortIndex says whether an index of the events collection serves the
// replay order (timestamp, _id) for one filter.
type SortIndex struct {
	Covered bool `json:"covered"`
	// Index is the name of the index that serves it; empty when none does.
	Index string `json:"index,omitempty"`
	// Recommended is the index to create when none does.
	Recommended string `json:"recommended,omitempty"`
}

// SortIndexFor checks the collection's indexes against the replay order
// under filter f. An index covers the order when its key is
//
//	[fields f fixes to one value, in any order] timestamp, _id [anything]
//
// with timestamp and _id in the same direction (MongoDB walks an index
// either way), and it is neither partial nor sparse nor has a collation:
// MongoDB then returns the matching events in order without a sort stage.
// The fields a filter fixes are execution_id, aggregate_id,
// metadata.user_id, metadata.service_name, and event_type or event_id when
// exactly one is given. {timestamp: 1, _id: 1} covers every filter.
func (e *Events) SortIndexFor(ctx context.Context, f contract.Filter) (SortIndex, error) {
	cur, err := e.c.Indexes().List(ctx)
	if err != nil {
		return SortIndex{}, fmt.Errorf("list %s indexes: %w", e.c.Name(), Wrap(err))
	}
	var specs []indexSpec
	if err := cur.All(ctx, &specs); err != nil {
		return SortIndex{}, fmt.Errorf("list %s indexes: %w", e.c.Name(), Wrap(err))
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	fixed := equalityFields(f)
	for _, s := range specs {
		if s.covers(fixed) {
			return SortIndex{Covered: true, Index: s.Name}, nil
		}
	}
	return SortIndex{Recommended: RecommendedEventsIndexText}, nil
}

// indexSpec is the part of a listIndexes entry that decides coverage.
type indexSpec struct {
	Name      string   `bson:"name"`
	Key       bson.Raw `bson:"key"`
	Sparse    bool     `bson:"sparse"`
	Partial   bson.Raw `bson:"partialFilterExpression"`
	Collation bson.Raw `bson:"collation"`
}

func (s indexSpec) covers(fixed map[string]bool) bool {
	if s.Sparse || len(s.Partial) > 0 || len(s.Collation) > 0 {
		return false
	}
	elems, err := s.Key.Elements()
	if err != nil {
		return false
	}
	keys := make([]string, len(elems))
	dirs := make([]float64, len(elems))
	for i, el := range elems {
		keys[i] = el.Key()
		d, ok := el.Value().AsFloat64OK()
		if !ok || d == 0 {
			return false // text, hashed or 2d: no order
		}
		dirs[i] = d
	}
	return CoversReplayOrder(keys, dirs, fixed)
}

// CoversReplayOrder is the coverage rule of SortIndexFor on one key
// pattern: fields, their directions (±1), and the fields the filter fixes.
func CoversReplayOrder(keys []string, dirs []float64, fixed map[string]bool) bool {
	i := 0
	for i < len(keys) && fixed[keys[i]] && keys[i] != "timestamp" {
		i++
	}
	if i+1 >= len(keys) || keys[i] != "timestamp" || keys[i+1] != "_id" {
		return false
	}
	return (dirs[i] > 0) == (dirs[i+1] > 0)
}

// equalityFields are the fields filter f pins to a single value.
func equalityFields(f contract.Filter) map[string]bool {
	m := map[string]bool{}
	if f.ExecutionID != nil {
		m["execution_id"] = true
	}
	if f.AggregateID != nil {
		m["aggregate_id"] = true
	}
	if f.UserID != nil {
		m["metadata.user_id"] = true
	}
	if f.ServiceName != nil {
		m["metadata.service_name"] = true
	}
	if len(f.EventTypes) == 1 {
		m["event_type"] = true
	}
	if len(f.EventIDs) == 1 {
		m["event_id"] = true
	}
	return m
}

// Types lists the distinct event types among the events f selects: the
// types a replay would send. Values that are not strings (foreign
// documents) are left out; a replay skips those documents.
//
// distinct answers from an index that starts with event_type (the
// platform's (event_type, timestamp)) without reading the events on
// MongoDB. The embedded server refuses distinct whenever the driver adds
// maxTimeMS, so a refused distinct is answered by grouping instead.
func (e *Events) Types(ctx context.Context, f contract.Filter) ([]string, error) {
	var vals []any
	res := e.c.Distinct(ctx, "event_type", FilterQuery(f))
	err := res.Err()
	if err == nil {
		err = res.Decode(&vals)
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		vals, err = e.groupTypes(ctx, f)
	}
	if err != nil {
		return nil, fmt.Errorf("list event types: %w", Wrap(err))
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (e *Events) groupTypes(ctx context.Context, f contract.Filter) ([]any, error) {
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: FilterQuery(f)}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$event_type"}}}},
	}
	cur, err := e.c.Aggregate(ctx, pipeline, options.Aggregate().SetAllowDiskUse(true))
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID any `bson:"_id"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, err
	}
	vals := make([]any, len(rows))
	for i, r := range rows {
		vals[i] = r.ID
	}
	return vals, nil
}
