package dlq

import (
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
)

// ListFilter selects DLQ messages; every given condition must hold.
type ListFilter struct {
	Statuses   []contract.DLQStatus
	Topics     []string // original_topic, full names
	EventTypes []string // event.event_type
	// Since and Until bound failed_at, inclusive.
	Since, Until *time.Time
	// ErrorContains is a case-insensitive substring of error.
	ErrorContains string
	EventIDs      []string
	// Limit and Offset page List (newest failure first) and the groups of
	// Errors; 0 = no limit. Topics ignores them.
	Limit, Offset int64
	// Sort orders Errors: "" or SortLastSeen (newest first), SortCount.
	Sort string
}

// Errors sort orders.
const (
	SortLastSeen = "last_seen"
	SortCount    = "count"
)

func (f ListFilter) validate() error {
	for _, s := range f.Statuses {
		if !s.Valid() {
			return fault.Invalidf("invalid DLQ status %q", s)
		}
	}
	switch {
	case f.Limit < 0:
		return fault.Invalidf("invalid limit %d: must be 0 or more", f.Limit)
	case f.Offset < 0:
		return fault.Invalidf("invalid offset %d: must be 0 or more", f.Offset)
	case f.Since != nil && f.Until != nil && f.Since.After(*f.Until):
		return fault.Invalidf("since is after until")
	case f.Sort != "" && f.Sort != SortLastSeen && f.Sort != SortCount:
		return fault.Invalidf("invalid sort %q: valid values are %s, %s", f.Sort, SortLastSeen, SortCount)
	}
	return nil
}

// query translates the filter into a MongoDB query both servers run alike.
func (f ListFilter) query() bson.D {
	q := bson.D{}
	if len(f.Statuses) > 0 {
		q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: f.Statuses}}})
	}
	if len(f.Topics) > 0 {
		q = append(q, bson.E{Key: "original_topic", Value: bson.D{{Key: "$in", Value: f.Topics}}})
	}
	if len(f.EventTypes) > 0 {
		q = append(q, bson.E{Key: "event.event_type", Value: bson.D{{Key: "$in", Value: f.EventTypes}}})
	}
	if len(f.EventIDs) > 0 {
		q = append(q, bson.E{Key: "event.event_id", Value: bson.D{{Key: "$in", Value: f.EventIDs}}})
	}
	at := bson.D{}
	if f.Since != nil {
		at = append(at, bson.E{Key: "$gte", Value: f.Since.UTC()})
	}
	if f.Until != nil {
		at = append(at, bson.E{Key: "$lte", Value: f.Until.UTC()})
	}
	if len(at) > 0 {
		q = append(q, bson.E{Key: "failed_at", Value: at})
	}
	if f.ErrorContains != "" {
		q = append(q, bson.E{Key: "error", Value: bson.D{
			{Key: "$regex", Value: regexp.QuoteMeta(f.ErrorContains)}, {Key: "$options", Value: "i"},
		}})
	}
	return q
}
