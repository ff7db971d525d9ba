package exitcode

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestOfMapsWrappedErrorsToTheirCode(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, OK},
		{"plain", errors.New("boom"), Error},
		{"usage", Usagef("bad --rate %d", -1), Usage},
		{"wrapped not found", fmt.Errorf("load session: %w", NotFoundf("no session abc")), NotFound},
		{"invalid state", InvalidStatef("session is completed"), InvalidState},
		{"unavailable", Unavailablef("start it", "mongodb unreachable"), Unavailable},
		{"partial", Partialf("3 of 10 failed"), Partial},
		{"canceled", fmt.Errorf("run: %w", context.Canceled), Interrupted},
		{"outermost wins", New(Partial, NotFoundf("x")), Partial},
	}
	for _, c := range cases {
		if got := Of(c.err); got != c.want {
			t.Errorf("%s: Of() = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestHintOfFindsHintThroughWrapping(t *testing.T) {
	err := fmt.Errorf("status: %w", Unavailablef("run `replayctl dev`", "mongodb unreachable"))
	if got := HintOf(err); got != "run `replayctl dev`" {
		t.Fatalf("HintOf = %q", got)
	}
	if HintOf(errors.New("x")) != "" {
		t.Fatal("plain error should have no hint")
	}
	if got := Of(WithHint(Usagef("bad"), "see --help")); got != Usage {
		t.Fatalf("WithHint lost the code: %d", got)
	}
}
