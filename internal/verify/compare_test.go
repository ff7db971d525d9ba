package verify

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

func sealed(ids ...string) *idSet {
	s := newIDSet(len(ids))
	for _, id := range ids {
		s.add(id)
	}
	s.seal()
	return s
}

func TestCompareCountsMissingDuplicatedAndUnexpected(t *testing.T) {
	tl := newTally(sealed("a", "b", "c", "d"))
	for _, id := range []string{"a", "b", "b", "b", "d", "x", "x", "y"} {
		tl.deliver(id)
	}
	tl.unreadableRecord()
	c := tl.compare(nil)
	if c.expected != 4 || c.delivered != 3 || c.missing != 1 || c.duplicated != 1 || c.unexpected != 2 {
		t.Fatalf("counts %+v", c)
	}
	if len(c.missingIdx) != 1 || c.missingIdx[0] != 2 {
		t.Errorf("missing indexes %v, want [2] (c)", c.missingIdx)
	}
	if len(c.duplicates) != 1 || c.duplicates[0] != (Copies{EventID: "b", Copies: 3}) {
		t.Errorf("duplicates %+v", c.duplicates)
	}
	if c.outsideWindows != 1 || c.outside[0] != "b" {
		t.Errorf("with no windows the duplicate lies outside: %d %v", c.outsideWindows, c.outside)
	}
	if len(c.unexpectedList) != 2 || c.unexpectedList[0] != (Copies{EventID: "x", Copies: 2}) || c.unexpectedList[1].EventID != "y" {
		t.Errorf("unexpected %+v", c.unexpectedList)
	}
	if tl.records.Load() != 9 || tl.unreadable.Load() != 1 {
		t.Errorf("records %d unreadable %d, want 9 and 1", tl.records.Load(), tl.unreadable.Load())
	}
}

func TestCompareListsAreCapped(t *testing.T) {
	var ids []string
	for i := range 50 {
		ids = append(ids, fmt.Sprintf("e%d", i))
	}
	tl := newTally(sealed(ids...))
	for i := range 30 {
		tl.deliver(fmt.Sprintf("u%d", i))
	}
	c := tl.compare(nil)
	if c.missing != 50 || len(c.missingIdx) != maxListed || c.missingIdx[0] != 0 {
		t.Errorf("missing %d listed %d first %v", c.missing, len(c.missingIdx), c.missingIdx[:1])
	}
	// Kept up to maxUnexpectedKept for the store lookup; the report lists maxListed.
	if c.unexpected != 30 || len(c.unexpectedList) != 30 || c.unexpectedList[0].EventID != "u0" {
		t.Errorf("unexpected %d kept %d", c.unexpected, len(c.unexpectedList))
	}
	var r Report
	r.fill(c, 0)
	if r.Unexpected != 30 || len(r.UnexpectedEvents) != maxListed {
		t.Errorf("report: unexpected %d listed %d", r.Unexpected, len(r.UnexpectedEvents))
	}
}

func TestDuplicatesInsideWindowsAreTold(t *testing.T) {
	tl := newTally(sealed("a", "b", "c", "d", "e"))
	for _, id := range []string{"a", "b", "b", "c", "d", "d", "e"} {
		tl.deliver(id)
	}
	c := tl.compare([]span{{lo: 1, hi: 2}})
	if c.duplicated != 2 || c.outsideWindows != 1 || c.outside[0] != "d" {
		t.Fatalf("duplicated %d outside %d %v; want b inside, d outside", c.duplicated, c.outsideWindows, c.outside)
	}
	if !c.duplicates[0].InWindow || c.duplicates[1].InWindow {
		t.Errorf("in-window flags %+v", c.duplicates)
	}
}

// events at t0+i ms, one ObjectID each, in replay order.
func positions(n int) ([]pos, []*contract.Checkpoint) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ps := make([]pos, n)
	cps := make([]*contract.Checkpoint, n)
	for i := range n {
		ts := t0.Add(time.Duration(i/2) * time.Millisecond) // pairs share a timestamp: _id breaks the tie
		oid := bson.NewObjectIDFromTimestamp(t0)
		oid[11] = byte(i)
		ps[i] = pos{ms: ts.UnixMilli(), oid: oid}
		cps[i] = &contract.Checkpoint{Timestamp: ts, ObjectID: oid.Hex()}
	}
	return ps, cps
}

func resolve(wins []contract.DuplicateWindow, ps []pos) []span {
	r := newResolver(wins)
	for i, p := range ps {
		r.observe(i, p)
	}
	return r.done(len(ps))
}

func TestWindowsResolveToReplayIndexes(t *testing.T) {
	ps, cps := positions(10)
	wins := []contract.DuplicateWindow{
		{Epoch: 3, After: cps[5], Through: cps[7], Count: 2}, // recorded out of order on purpose
		{Epoch: 2, After: cps[2], Count: 2},                  // by count: indexes 3 and 4
		{Epoch: 1, After: nil, Count: 1},                     // from the very start
		{Epoch: 4, After: cps[8], Count: 5},                  // runs past the end: clamped
		{Epoch: 5, After: &contract.Checkpoint{Head: 3}, Count: 1},
	}
	got := resolve(wins, ps)
	want := []span{{6, 7}, {3, 4}, {0, 0}, {9, 9}, {0, 0}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("window %d (%+v): span %v, want %v", i, wins[i], got[i], want[i])
		}
	}
	for i, in := range map[int]bool{0: true, 1: false, 2: false, 3: true, 5: false, 6: true, 7: true, 8: false, 9: true} {
		if inSpans(got, i) != in {
			t.Errorf("index %d in a window: %v, want %v", i, !in, in)
		}
	}
}

func TestWindowAfterTheLastEventCoversNothing(t *testing.T) {
	ps, cps := positions(4)
	got := resolve([]contract.DuplicateWindow{{After: cps[3], Count: 10}}, ps)
	if got[0].lo >= 0 || inSpans(got, 3) {
		t.Fatalf("span %v: a window after every event covers none", got[0])
	}
}

func TestEventIDIsReadFromTheTopLevelOfTheValue(t *testing.T) {
	cases := map[string]struct {
		id string
		ok bool
	}{
		`{"event":{"event_id":"inner"},"event_id":"outer"}`: {"outer", true},
		`{"event_id":"a","x":[1,2]}`:                        {"a", true},
		`{"event_id":""}`:                                   {"", false},
		`{"event_id":5}`:                                    {"", false},
		`not json`:                                          {"", false},
		`{"event_type":"x"}`:                                {"", false},
	}
	for in, want := range cases {
		id, ok := eventIDOf([]byte(in))
		if id != want.id || ok != want.ok {
			t.Errorf("eventIDOf(%s) = %q, %v; want %q, %v", in, id, ok, want.id, want.ok)
		}
	}
}

// Past maxUnexpectedTracked distinct ids, unexpected records are counted
// without being kept.
func TestUnexpectedIDsAreCountedPastTheTrackedBound(t *testing.T) {
	tl := newTally(sealed("a"))
	for i := range maxUnexpectedTracked + 5 {
		tl.deliver(fmt.Sprintf("u%d", i))
	}
	if len(tl.unexpected) != maxUnexpectedTracked {
		t.Errorf("%d ids kept, want %d", len(tl.unexpected), maxUnexpectedTracked)
	}
	if c := tl.compare(nil); c.unexpected != maxUnexpectedTracked+5 {
		t.Errorf("unexpected %d, want %d", c.unexpected, maxUnexpectedTracked+5)
	}
}
