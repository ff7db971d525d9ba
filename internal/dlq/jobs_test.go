package dlq

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

func TestJobSelectionQuery(t *testing.T) {
	created := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	early := created.Add(-time.Hour)
	late := created.Add(time.Hour)
	id := bson.NewObjectID()
	cases := []struct {
		name string
		sel  JobSelection
		pos  *Position
		want bson.D
	}{
		{"empty filter: retryable, failed by creation",
			JobSelection{Before: created}, nil,
			bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: []contract.DLQStatus{"pending", "scheduled"}}}},
				{Key: "failed_at", Value: bson.D{{Key: "$lte", Value: created}}}}},
		{"terminal statuses asked: nothing",
			JobSelection{Filter: ListFilter{Statuses: []contract.DLQStatus{"retried"}}, Before: created}, nil,
			bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: []contract.DLQStatus{"none"}}}},
				{Key: "failed_at", Value: bson.D{{Key: "$lte", Value: created}}}}},
		{"earlier until wins; ids; limit ignored",
			JobSelection{Filter: ListFilter{Statuses: []contract.DLQStatus{"scheduled", "retried"}, Until: &early, Limit: 3},
				EventIDs: []string{"a"}, Before: created}, nil,
			bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: []contract.DLQStatus{"scheduled"}}}},
				{Key: "event.event_id", Value: bson.D{{Key: "$in", Value: []string{"a"}}}},
				{Key: "failed_at", Value: bson.D{{Key: "$lte", Value: early}}}}},
		{"later until is capped at creation; resume after a position",
			JobSelection{Filter: ListFilter{Until: &late}, Before: created}, &Position{FailedAt: early, ID: id},
			bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: []contract.DLQStatus{"pending", "scheduled"}}}},
				{Key: "failed_at", Value: bson.D{{Key: "$lte", Value: created}}},
				{Key: "$or", Value: bson.A{
					bson.D{{Key: "failed_at", Value: bson.D{{Key: "$gt", Value: early}}}},
					bson.D{{Key: "failed_at", Value: early}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: id}}}},
				}}}},
	}
	for _, c := range cases {
		got, _ := bson.MarshalExtJSON(c.sel.Query(c.pos), false, false)
		want, _ := bson.MarshalExtJSON(c.want, false, false)
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, want)
		}
	}
}

func TestJobPurposeInheritsOnlyEarlierEpochsOfTheSameJob(t *testing.T) {
	cases := []struct {
		mine, cur string
		want      bool
	}{
		{JobPurpose("j1", 2), JobPurpose("j1", 1), true},
		{JobPurpose("j1", 2), JobPurpose("j1", 2), false},
		{JobPurpose("j1", 2), JobPurpose("j1", 3), false},
		{JobPurpose("j1", 2), JobPurpose("j2", 1), false},
		{JobPurpose("j1", 2), purposeRetry, false},
		{purposeRetry, JobPurpose("j1", 1), false},
	}
	for _, c := range cases {
		if got := inherits(c.mine, c.cur); got != c.want {
			t.Errorf("inherits(%q, %q) = %v", c.mine, c.cur, got)
		}
	}
}
