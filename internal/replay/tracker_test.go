package replay

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

func pos(i int) position {
	return position{ts: t0.Add(time.Duration(i) * time.Millisecond), oid: bson.NewObjectID(), eventID: "e" + string(rune('a'+i%26)), ok: true}
}

func TestTrackerLowWaterMarkWaitsForGaps(t *testing.T) {
	tr := newTracker()
	var ps []position
	for i := range 5 {
		ps = append(ps, pos(i))
		tr.add(ps[i], "execution_started")
	}
	tr.complete(1, outcomeReplayed, nil)
	tr.complete(2, outcomeReplayed, nil)
	if s := tr.snapshot(); s.committed != 0 || s.last.ok || s.replayed != 0 {
		t.Fatalf("committed past an unacknowledged event: %+v", s)
	}
	tr.complete(0, outcomeReplayed, nil)
	s := tr.snapshot()
	if s.committed != 3 || s.replayed != 3 || s.last.oid != ps[2].oid {
		t.Fatalf("after filling the gap: committed %d replayed %d last %v", s.committed, s.replayed, s.last.oid)
	}
	if s.inFlight() != 2 {
		t.Fatalf("inFlight = %d, want 2", s.inFlight())
	}
}

func TestTrackerCountsOutcomesAndErrors(t *testing.T) {
	tr := newTracker()
	for i := range 3 {
		tr.add(pos(i), "pod_created")
	}
	e := sessionError(t0, errors.New("boom"), "MESSAGE_TOO_LARGE", "e1")
	tr.complete(2, outcomeSkipped, nil)
	tr.complete(1, outcomeFailed, &e)
	tr.complete(0, outcomeReplayed, nil)
	tr.complete(0, outcomeFailed, nil) // a late double call is ignored
	s := tr.snapshot()
	if s.replayed != 1 || s.failed != 1 || s.skipped != 1 || len(s.newErrs) != 1 {
		t.Fatalf("snapshot %+v", s)
	}
	if len(tr.snapshot().newErrs) != 0 {
		t.Fatal("error entries must be handed out once")
	}
}

func TestTrackerRandomCompletionOrderMemoryBounded(t *testing.T) {
	tr := newTracker()
	r := rand.New(rand.NewPCG(1, 2))
	const n, window = 50000, 500
	var inflight []int64
	for i := range n {
		inflight = append(inflight, tr.add(pos(i), "x"))
		if len(inflight) >= window {
			k := r.IntN(len(inflight))
			tr.complete(inflight[k], outcomeReplayed, nil)
			inflight = append(inflight[:k], inflight[k+1:]...)
		}
		// Memory follows the span between the oldest unacknowledged event
		// and the newest sent one, which the reader bounds (maxSpan).
		span := int(tr.span())
		if len(tr.pending) > span+max(1024, span)+1 {
			t.Fatalf("pending holds %d entries for a span of %d", len(tr.pending), span)
		}
	}
	for _, seq := range inflight {
		tr.complete(seq, outcomeReplayed, nil)
	}
	if s := tr.snapshot(); s.committed != n || s.replayed != n || s.inFlight() != 0 {
		t.Fatalf("final %+v", s)
	}
}

func TestAppendErrsKeepsNewest(t *testing.T) {
	var list []contract.SessionError
	for i := range contract.MaxSessionErrors + 7 {
		list = appendErrs(list, []contract.SessionError{{Error: string(rune('A' + i%26)), Timestamp: t0.Add(time.Duration(i))}})
	}
	if len(list) != contract.MaxSessionErrors || !list[len(list)-1].Timestamp.Equal(t0.Add(contract.MaxSessionErrors+6)) {
		t.Fatalf("len %d, last %v", len(list), list[len(list)-1].Timestamp)
	}
	if appendErrs(nil, nil) == nil {
		t.Fatal("an empty list must be [] in BSON, not null")
	}
}
