package dlq

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestMarkRetriedAppliedTwiceCountsOnce: WithRetry re-sends an update after
// a network error even when the first attempt committed; the re-sent
// "mark retried" must leave retry_count one above the claimed round.
func TestMarkRetriedAppliedTwiceCountsOnce(t *testing.T) {
	e := newEnv(t)
	m := e.manager("me")
	e.insertDue("twice-1", 2)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for range 2 { // the second call is the re-send after a lost reply
		if err := m.markRetried(ctxT(t), byRound{2: {"twice-1"}}, now); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.loadMsg("twice-1").RetryCount; got != 3 {
		t.Fatalf("retry_count = %d after the update was applied twice, want 3", got)
	}
}

// TestRescheduleAppliedTwiceCountsOnce is the same for the rollback of a
// failed immediate retry (stored as round 3 retried, back to round 2).
func TestRescheduleAppliedTwiceCountsOnce(t *testing.T) {
	e := newEnv(t)
	m := e.manager("me")
	e.insertDue("twice-2", 3)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for range 2 {
		where, update := rescheduleUpdate(2, "boom", now)
		if err := m.updateMany(ctxT(t), []string{"twice-2"}, where, update, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.loadMsg("twice-2").RetryCount; got != 2 {
		t.Fatalf("retry_count = %d after the rollback was applied twice, want 2", got)
	}
}

// TestCounterUpdatesAreIdempotent: no update a retry can re-send
// increments; each sets the counter from the value its filter guards.
func TestCounterUpdatesAreIdempotent(t *testing.T) {
	now := time.Now().UTC()
	next := now.Add(time.Minute)
	cases := []struct {
		name          string
		where, update bson.D
		guard         int64
		field         string
		want          any
	}{
		{"retried", nil, nil, 4, "retry_count", int32(5)},
		{"reschedule", nil, nil, 5, "retry_count", int32(4)},
		{"failed send", nil, nil, 4, SendFailuresField, int32(3)},
	}
	cases[0].where, cases[0].update = retriedUpdate(4, now)
	cases[1].where, cases[1].update = rescheduleUpdate(4, "x", now)
	cases[2].where, cases[2].update = failureUpdate(failureKey{text: "x", round: 4, failures: 3}, now, &next)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if lookup(c.where, "retry_count") != c.guard {
				t.Errorf("filter %v: want retry_count %d", c.where, c.guard)
			}
			if len(c.update) != 1 || c.update[0].Key != "$set" {
				t.Fatalf("update %v: want only $set", c.update)
			}
			if got := lookup(c.update[0].Value.(bson.D), c.field); got != c.want {
				t.Errorf("$set %s = %#v, want %#v", c.field, got, c.want)
			}
		})
	}
}

func lookup(d bson.D, key string) any {
	for _, e := range d {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}
