package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOfFindsTheOutermostKindThroughWrapping(t *testing.T) {
	cases := []struct {
		err  error
		want Kind
	}{
		{nil, Internal},
		{errors.New("boom"), Internal},
		{Invalidf("bad %s", "x"), Invalid},
		{fmt.Errorf("load: %w", NotFoundf("session %q not found", "ab")), NotFound},
		{fmt.Errorf("run: %w", Conflictf("held")), Conflict},
		{Partialf("2 of 5 failed"), Partial},
		{fmt.Errorf("ping: %w", &UnavailableError{Server: MongoDB, Addr: "mongodb://h", Err: errors.New("refused")}), Unavailable},
		{&AmbiguousError{What: "replay session", Prefix: "a", Candidates: []string{"ab", "ac"}}, Invalid},
		{New(Conflict, fmt.Errorf("outer: %w", NotFoundf("inner"))), Conflict},
	}
	for _, c := range cases {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("KindOf(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestAmbiguousErrorNamesEveryCandidate(t *testing.T) {
	e := &AmbiguousError{What: "DLQ message", Prefix: "ev", Candidates: []string{"ev-1", "ev-2"}, More: true}
	want := `DLQ message id prefix "ev" is ambiguous: matches ev-1, ev-2, ...`
	if e.Error() != want {
		t.Errorf("got %q, want %q", e.Error(), want)
	}
}

func TestNewKeepsNil(t *testing.T) {
	if New(Invalid, nil) != nil {
		t.Error("New(kind, nil) must be nil")
	}
}
