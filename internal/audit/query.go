package audit

import (
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Query selects records for List; every condition given must hold.
type Query struct {
	// Since and Until bound `at`, inclusive.
	Since, Until *time.Time
	// Actor matches exactly.
	Actor string
	// Action matches the action or every action under it: "dlq.policy"
	// matches dlq.policy.set and dlq.policy.unset, "dlq" every dlq action.
	Action string
	// Target matches records with a target that starts with it, so a
	// shortened session or event id finds its records.
	Target string
	// Limit bounds the records returned (newest first); 0 = all.
	Limit int64
}

// filter is the MongoDB query of q.
func (q Query) filter() bson.D {
	f := bson.D{}
	at := bson.D{}
	if q.Since != nil {
		at = append(at, bson.E{Key: "$gte", Value: q.Since.UTC()})
	}
	if q.Until != nil {
		at = append(at, bson.E{Key: "$lte", Value: q.Until.UTC()})
	}
	if len(at) > 0 {
		f = append(f, bson.E{Key: "at", Value: at})
	}
	if q.Actor != "" {
		f = append(f, bson.E{Key: "actor", Value: q.Actor})
	}
	if q.Action != "" {
		f = append(f, bson.E{Key: "action", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(q.Action) + `(\.|$)`}}})
	}
	if q.Target != "" {
		f = append(f, bson.E{Key: "targets", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(q.Target)}}})
	}
	return f
}
