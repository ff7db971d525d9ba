package dlqcmd

import (
	"errors"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
)

func planOf(t *testing.T, ids ...string) *dlq.Plan {
	t.Helper()
	p := &dlq.Plan{}
	for _, id := range ids {
		raw, err := bson.Marshal(bson.D{{Key: "event_id", Value: id}})
		if err != nil {
			t.Fatal(err)
		}
		p.Messages = append(p.Messages, contract.DLQMessage{Event: raw})
	}
	return p
}

func TestBatchIntent(t *testing.T) {
	two := int64(2)
	retry := batchAction{action: audit.DLQRetry, reason: "fixed", toTopic: "debug"}
	cases := []struct {
		name string
		o    BatchOptions
		act  batchAction
		want audit.Intent
	}{
		{"by ids: the ids, no filter", BatchOptions{IDs: []string{"a1", "b"}}, batchAction{action: audit.DLQDiscard, reason: "poison"},
			audit.Intent{Action: audit.DLQDiscard, Reason: "poison", Targets: []string{"a1-full", "b-full"}}},
		{"by filter: as typed, with the count", BatchOptions{All: true, Rate: 2.5, FilterGiven: map[string]string{"status": "pending"}}, retry,
			audit.Intent{Action: audit.DLQRetry, Reason: "fixed", Targets: []string{"a1-full", "b-full"},
				Filter: map[string]string{"status": "pending"}, Matched: &two, Params: map[string]string{"to_topic": "debug", "rate": "2.5"}}},
		{"--all alone", BatchOptions{All: true}, batchAction{action: audit.DLQRetry},
			audit.Intent{Action: audit.DLQRetry, Targets: []string{"a1-full", "b-full"}, Filter: map[string]string{"all": "true"}, Matched: &two}},
	}
	for _, c := range cases {
		got := batchIntent(&c.o, planOf(t, "a1-full", "b-full"), c.act)
		if len(got.Targets) == 0 {
			got.Targets = nil
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// Ids asked for but refused at planning are named after the ones acted on.
func TestBatchIntentNamesRefusedIDs(t *testing.T) {
	plan := planOf(t, "ok-1")
	plan.Refused = []dlq.Refusal{{EventID: "done-1", Status: contract.DLQRetried}}
	got := batchIntent(&BatchOptions{IDs: []string{"ok", "done"}}, plan, batchAction{action: audit.DLQRetry})
	if !reflect.DeepEqual(got.Targets, []string{"ok-1", "done-1"}) {
		t.Errorf("targets %v", got.Targets)
	}
}

func TestBatchOutcome(t *testing.T) {
	res := &dlq.BatchResult{Succeeded: 2, Failed: 1, Refused: 0}
	if got := batchOutcome(res, nil); got.Status != audit.Partial || *got.Counts != (audit.Counts{Succeeded: 2, Failed: 1}) {
		t.Errorf("some failed: %+v", got)
	}
	if got := batchOutcome(nil, errors.New("select DLQ messages: gone")); got.Status != audit.Failed || got.Error == "" {
		t.Errorf("no result: %+v", got)
	}
}
