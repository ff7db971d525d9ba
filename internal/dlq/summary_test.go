package dlq

import (
	"reflect"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
)

func TestTopicsAndErrorsNumbers(t *testing.T) {
	e := newEnv(t)
	m := e.manager("reader")
	m.Kafka = nil // read-only
	ctx := ctxT(t)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	a, b := e.topic("pod_failed"), e.topic("user_login")
	e.insertPlatformDoc("a1", "pod_failed", a, contract.DLQScheduled, 0, base, "pod executor-0a1b2c3d4e missing field 'exit_code'", nil)
	e.insertPlatformDoc("a2", "pod_failed", a, contract.DLQScheduled, 2, base.Add(time.Hour), "pod executor-9f8e7d6c5b missing field 'stdout'", nil)
	e.insertPlatformDoc("a3", "pod_failed", a, contract.DLQRetried, 3, base.Add(2*time.Hour), "timed out after 30s", nil)
	e.insertPlatformDoc("b1", "user_login", b, contract.DLQDiscarded, 1, base.Add(-time.Hour), "timed out after 45s", nil)
	e.insertPlatformDoc("b2", "user_login", b, contract.DLQPending, 0, base.Add(3*time.Hour), "timed out after 5s", nil)

	topics, err := m.Topics(ctx, ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []TopicSummary{
		{Topic: a, Total: 3, ByStatus: map[string]int64{"scheduled": 2, "retried": 1}, OldestFailure: base,
			NewestFailure: base.Add(2 * time.Hour), AvgRetryCount: 5.0 / 3, MaxRetryCount: 3},
		{Topic: b, Total: 2, ByStatus: map[string]int64{"discarded": 1, "pending": 1}, OldestFailure: base.Add(-time.Hour),
			NewestFailure: base.Add(3 * time.Hour), AvgRetryCount: 0.5, MaxRetryCount: 1},
	}
	if !reflect.DeepEqual(topics, want) {
		t.Errorf("topics =\n%+v\nwant\n%+v", topics, want)
	}
	filtered, err := m.Topics(ctx, ListFilter{Statuses: []contract.DLQStatus{contract.DLQScheduled}})
	if err != nil || len(filtered) != 1 || filtered[0].Total != 2 {
		t.Errorf("filtered topics = %+v, %v", filtered, err)
	}

	groups, err := m.Errors(ctx, ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 {
		t.Fatalf("groups = %+v", groups)
	}
	timeout, missing := groups[0], groups[1] // newest last-seen first
	if timeout.Pattern != "timed out after <d>" || timeout.Count != 3 || timeout.Example != "timed out after 5s" ||
		!reflect.DeepEqual(timeout.Topics, []string{a, b}) || !reflect.DeepEqual(timeout.EventTypes, []string{"pod_failed", "user_login"}) ||
		!timeout.FirstSeen.Equal(base.Add(-time.Hour)) || !timeout.LastSeen.Equal(base.Add(3*time.Hour)) {
		t.Errorf("timeout group = %+v", timeout)
	}
	if missing.Pattern != "pod executor-<id> missing field '<v>'" || missing.Count != 2 || missing.Example != "pod executor-9f8e7d6c5b missing field 'stdout'" {
		t.Errorf("missing-field group = %+v", missing)
	}
	byCount, err := m.Errors(ctx, ListFilter{Sort: SortCount, Limit: 1})
	if err != nil || len(byCount) != 1 || byCount[0].Count != 3 {
		t.Errorf("by count = %+v, %v", byCount, err)
	}
	typed, err := m.Errors(ctx, ListFilter{EventTypes: []string{"user_login"}})
	if err != nil || len(typed) != 1 || typed[0].Count != 2 {
		t.Errorf("by type = %+v, %v", typed, err)
	}
}

func TestListFiltersAndPaging(t *testing.T) {
	e := newEnv(t)
	m := e.manager("reader")
	ctx := ctxT(t)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, id := range []string{"l0", "l1", "l2", "l3", "l4"} {
		st := contract.DLQScheduled
		if i%2 == 1 {
			st = contract.DLQRetried
		}
		e.insertPlatformDoc(id, "pod_failed", e.topic("pod_failed"), st, int32(i), base.Add(time.Duration(i)*time.Hour), "Boom", nil)
	}
	msgs, total, err := m.List(ctx, ListFilter{Limit: 2, Offset: 1})
	if err != nil || total != 5 || len(msgs) != 2 || msgs[0].EventID() != "l3" || msgs[1].EventID() != "l2" {
		t.Errorf("page = %v, total %d, %v", ids(msgs), total, err)
	}
	since, until := base.Add(time.Hour), base.Add(3*time.Hour)
	msgs, total, err = m.List(ctx, ListFilter{Statuses: []contract.DLQStatus{contract.DLQRetried}, Since: &since, Until: &until, ErrorContains: "boo"})
	if err != nil || total != 2 || !reflect.DeepEqual(ids(msgs), []string{"l3", "l1"}) {
		t.Errorf("filtered = %v, total %d, %v", ids(msgs), total, err)
	}
	msgs, _, err = m.List(ctx, ListFilter{EventIDs: []string{"l4", "nope"}})
	if err != nil || !reflect.DeepEqual(ids(msgs), []string{"l4"}) {
		t.Errorf("by ids = %v, %v", ids(msgs), err)
	}
	got, err := m.Get(ctx, "l2")
	if err != nil || got.EventID() != "l2" || got.RetryCount != 2 {
		t.Errorf("get = %+v, %v", got, err)
	}
}

func ids(msgs []contract.DLQMessage) []string {
	out := make([]string, len(msgs))
	for i := range msgs {
		out[i] = msgs[i].EventID()
	}
	return out
}
