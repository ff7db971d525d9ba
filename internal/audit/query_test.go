package audit

import (
	"reflect"
	"regexp"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestQueryFilter(t *testing.T) {
	since := time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	until := since.Add(24 * time.Hour)
	cases := []struct {
		name string
		q    Query
		want bson.D
	}{
		{"everything", Query{Limit: 5}, bson.D{}},
		{"time range in UTC", Query{Since: &since, Until: &until}, bson.D{{Key: "at", Value: bson.D{
			{Key: "$gte", Value: since.UTC()}, {Key: "$lte", Value: until.UTC()}}}}},
		{"actor exactly", Query{Actor: "ana@ops"}, bson.D{{Key: "actor", Value: "ana@ops"}}},
		{"action and the actions under it", Query{Action: "dlq.policy"}, bson.D{{Key: "action", Value: bson.D{
			{Key: "$regex", Value: `^dlq\.policy(\.|$)`}}}}},
		{"target by prefix, quoted", Query{Target: "3f1c.+"}, bson.D{{Key: "targets", Value: bson.D{
			{Key: "$regex", Value: `^3f1c\.\+`}}}}},
	}
	for _, c := range cases {
		if got := c.q.filter(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: filter = %v, want %v", c.name, got, c.want)
		}
	}
}

// The action pattern must not let "dlq.re" match dlq.retry, nor "dlq"
// match a hypothetical "dlqx.y".
func TestActionPatternMatchesWholeSegments(t *testing.T) {
	re := func(action string) string {
		return Query{Action: action}.filter()[0].Value.(bson.D)[0].Value.(string)
	}
	cases := []struct {
		action, stored string
		want           bool
	}{
		{"dlq.retry", "dlq.retry", true},
		{"dlq", "dlq.policy.set", true},
		{"dlq.policy", "dlq.policy.unset", true},
		{"dlq.re", "dlq.retry", false},
		{"dlq", "dlqx.y", false},
	}
	for _, c := range cases {
		if got := mustMatch(t, re(c.action), c.stored); got != c.want {
			t.Errorf("--action %s vs %s: match %v, want %v", c.action, c.stored, got, c.want)
		}
	}
}

func mustMatch(t *testing.T, pattern, s string) bool {
	t.Helper()
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.Fatalf("pattern %q: %v", pattern, err)
	}
	return re.MatchString(s)
}
