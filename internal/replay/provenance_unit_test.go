package replay

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

func testPos(i int) position {
	return position{ts: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC), oid: bson.NewObjectID(), eventID: "e", ok: true}
}

// A window opens at the checkpoint the taker resumed from and closes at the
// last event its budget covers.
func TestDuplicateWindowClosesWhereTheBudgetRunsOut(t *testing.T) {
	at := testPos(1).checkpoint()
	r := &runner{windows: newDupWindows(nil, at)}
	r.dups.remaining.Store(2)
	r.windows.add(7, 2, nil)
	r.tookDup(testPos(2))
	if w := r.windows.list[0]; w.Through != nil {
		t.Fatalf("window closed after 1 of 2 events: %+v", w)
	}
	last := testPos(3)
	r.tookDup(last)
	r.tookDup(testPos(4)) // past the budget: not a possible duplicate
	w := r.windows.list[0]
	if w.Epoch != 7 || w.After != at || w.Count != 2 || w.Through == nil || !w.Through.Timestamp.Equal(last.ts) {
		t.Fatalf("window %+v, want epoch 7 after %v through %v", w, at, last.ts)
	}
	if r.dups.counted.Load() != 2 {
		t.Errorf("counted %d possible duplicates, want 2", r.dups.counted.Load())
	}
}

func TestDuplicateWindowsAreCappedByMergingTheOldest(t *testing.T) {
	d := newDupWindows(nil, nil)
	for i := range contract.MaxDuplicateWindows + 3 {
		d.checkpointed(testPos(2 * i))
		d.add(int64(i+1), 10, testPos(2*i+1).checkpoint())
	}
	if len(d.list) != contract.MaxDuplicateWindows {
		t.Fatalf("%d windows kept, want %d", len(d.list), contract.MaxDuplicateWindows)
	}
	first := d.list[0]
	if !first.Merged || first.Count != 40 || !first.After.Timestamp.Equal(testPos(0).ts) || !first.Through.Timestamp.Equal(testPos(7).ts) {
		t.Errorf("merged window %+v: want the first four windows' span and counts", first)
	}
	if last := d.list[len(d.list)-1]; last.Epoch != contract.MaxDuplicateWindows+3 || last.Merged {
		t.Errorf("newest window %+v changed", last)
	}
	if set := d.set(); len(set) != 1 || set[0].Key != "replayctl.duplicate_windows" {
		t.Errorf("checkpoint set %v", set)
	}
}

func TestNoWindowForAnEmptyBudget(t *testing.T) {
	d := newDupWindows(nil, nil)
	d.add(3, 0, nil)
	if d.set() != nil {
		t.Fatalf("a resume with nothing possibly re-sent recorded %+v", d.list)
	}
}

func TestCandidateTopicsNeedNoScan(t *testing.T) {
	sess := &contract.Session{Config: contract.SessionConfig{
		Filter:       contract.Filter{EventTypes: []string{"pod_created", "pod_failed"}},
		TargetTopics: map[string]string{"pod_failed": "failures"},
	}}
	got := CandidateTopics(sess, "dev_")
	if len(got) != 2 || got[0] != "dev_pod_created" || got[1] != "failures" {
		t.Errorf("topics %v", got)
	}
	sess.Config.Filter = contract.Filter{ExcludeEventTypes: []string{"pod_created"}}
	all := CandidateTopics(sess, "")
	for _, topic := range all {
		if topic == "pod_created" {
			t.Error("an excluded type's topic is a candidate")
		}
	}
	if len(all) != len(contract.EventTypes())-1 { // every type but the excluded one; pod_failed goes to "failures"
		t.Errorf("%d candidates for an open filter, want %d", len(all), len(contract.EventTypes())-1)
	}
}

// A window whose end was never recorded (its run crashed) is measured by
// its count from its own start: merged into an older one, it must not
// become "count events after the older start", which misses its region.
func TestMergingKeepsTheRegionOfAWindowWithoutAnEnd(t *testing.T) {
	d := newDupWindows(nil, nil)
	for i := range contract.MaxDuplicateWindows {
		d.checkpointed(testPos(100 * i))
		var through *contract.Checkpoint
		if i != 1 {
			through = testPos(100*i + 50).checkpoint()
		}
		d.add(int64(i+1), 10, through)
	}
	d.checkpointed(testPos(100 * contract.MaxDuplicateWindows))
	d.add(99, 10, testPos(100*contract.MaxDuplicateWindows+50).checkpoint())
	crashedAt := testPos(100).ts
	for _, w := range d.list {
		if w.After != nil && !w.After.Timestamp.After(crashedAt) && (w.Through == nil || w.Through.Timestamp.Before(crashedAt)) && w.Merged {
			t.Errorf("merged window %+v does not reach past the crashed window's start %v", w, crashedAt)
		}
	}
	covered := false
	for _, w := range d.list {
		if w.After != nil && !w.After.Timestamp.After(crashedAt) && w.Through != nil && w.Through.Timestamp.After(crashedAt) {
			covered = true
		}
		if w.Through == nil && w.Merged {
			t.Errorf("a merged window has no end: %+v", w)
		}
	}
	if !covered {
		t.Errorf("no window with an end covers the crashed window's region: %+v", d.list)
	}
}
