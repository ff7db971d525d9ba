package audit

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/integr8scode/replayctl/internal/fault"
)

func TestBatchOutcome(t *testing.T) {
	boom := errors.New("broker gone")
	cases := []struct {
		name                      string
		succeeded, failed, refuse int64
		err                       error
		want                      Status
		wantErr                   string
	}{
		{"all sent", 10, 0, 0, nil, OK, ""},
		{"some failed", 8, 2, 0, nil, Partial, ""},
		{"some refused", 9, 0, 1, nil, Partial, ""},
		{"stopped half way", 5, 0, 0, boom, Partial, "broker gone"},
		{"none sent", 0, 3, 0, nil, Failed, "none succeeded: 3 failed, 0 refused"},
		{"all refused", 0, 0, 4, nil, Failed, "none succeeded: 0 failed, 4 refused"},
		{"error before any", 0, 0, 0, boom, Failed, "broker gone"},
	}
	for _, c := range cases {
		got := BatchOutcome(c.succeeded, c.failed, c.refuse, c.err)
		want := Outcome{Status: c.want, Error: c.wantErr, Counts: &Counts{Succeeded: c.succeeded, Failed: c.failed, Refused: c.refuse}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v (counts %+v), want %+v", c.name, got, *got.Counts, want)
		}
	}
}

func TestOutcomeOf(t *testing.T) {
	cases := []struct {
		err  error
		want Outcome
	}{
		{nil, Outcome{Status: OK}},
		{fmt.Errorf("retry: %w", fault.Partialf("2 of 5 failed")), Outcome{Status: Partial, Error: "retry: 2 of 5 failed"}},
		{fault.Conflictf("session is completed"), Outcome{Status: Failed, Error: "session is completed"}},
		{errors.New("boom"), Outcome{Status: Failed, Error: "boom"}},
	}
	for _, c := range cases {
		if got := OutcomeOf(c.err); !reflect.DeepEqual(got, c.want) {
			t.Errorf("OutcomeOf(%v) = %+v, want %+v", c.err, got, c.want)
		}
	}
}
