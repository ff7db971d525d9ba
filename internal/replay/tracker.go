package replay

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// outcome is what became of one event.
type outcome uint8

const (
	outcomePending outcome = iota
	outcomeReplayed
	outcomeFailed
	outcomeSkipped
)

// position is an event's place in replay order; ok is false for a stored
// document whose timestamp or _id cannot be a checkpoint.
type position struct {
	ts      time.Time
	oid     bson.ObjectID
	eventID string
	ok      bool
	// head > 0 is a position among the leading documents whose timestamp
	// is not a date (see contract.Checkpoint.Head); ts and oid are unset.
	head int64
}

// dated reports a position with an event time.
func (p position) dated() bool { return p.ok && p.head == 0 }

func (p position) checkpoint() *contract.Checkpoint {
	if p.head > 0 {
		return &contract.Checkpoint{Head: p.head}
	}
	return &contract.Checkpoint{Timestamp: p.ts, ObjectID: p.oid.Hex(), EventID: p.eventID}
}

type entry struct {
	pos     position
	evType  string
	outcome outcome
	err     *contract.SessionError
}

// tracker turns out-of-order acknowledgements into an in-order low-water
// mark: an event counts (and the checkpoint moves past it) only once it and
// every event before it are done. Memory is bounded by the events in flight.
type tracker struct {
	mu      sync.Mutex
	pending []entry // pending[i] is seq base+i
	head    int     // pending[:head] is already committed, kept until compaction
	// base is the seq of pending[head], sent the seqs handed out. Both
	// change under mu; they are atomic so the reader can look at them for
	// every event without the lock the acknowledgements contend for.
	base   atomic.Int64
	sent   atomic.Int64
	newest position // the position of the last event handed out

	// committed totals of this run, in replay order
	replayed, failed, skipped int64
	last                      position
	newErrs                   []contract.SessionError
	counts                    typeCounts
}

func newTracker() *tracker { return &tracker{counts: newTypeCounts()} }

// add registers the next event in read order and returns its seq.
func (t *tracker) add(pos position, evType string) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, entry{pos: pos, evType: evType})
	if pos.ok {
		t.newest = pos
	}
	seq := t.sent.Load()
	t.sent.Store(seq + 1)
	return seq
}

// complete records an event's outcome and commits every event that is now
// contiguous with the low-water mark.
func (t *tracker) complete(seq int64, o outcome, e *contract.SessionError) {
	t.mu.Lock()
	defer t.mu.Unlock()
	base := t.base.Load()
	i := int(seq-base) + t.head
	if seq < base || i >= len(t.pending) || t.pending[i].outcome != outcomePending {
		return // late promise of an abandoned run, or a double call
	}
	t.pending[i].outcome, t.pending[i].err = o, e
	for t.head < len(t.pending) && t.pending[t.head].outcome != outcomePending {
		t.commit(&t.pending[t.head])
		t.pending[t.head] = entry{}
		t.head++
		t.base.Add(1)
	}
	if t.head > 1024 && t.head*2 >= len(t.pending) {
		n := copy(t.pending, t.pending[t.head:])
		t.pending = t.pending[:n]
		t.head = 0
	}
}

func (t *tracker) commit(e *entry) {
	switch e.outcome {
	case outcomeReplayed:
		t.replayed++
		t.counts.replayed[e.evType]++
	case outcomeFailed:
		t.failed++
		t.counts.failed[e.evType]++
	case outcomeSkipped:
		t.skipped++
		t.counts.skipped[e.evType]++
	}
	if e.err != nil {
		t.newErrs = append(t.newErrs, *e.err)
		if len(t.newErrs) > contract.MaxSessionErrors {
			t.newErrs = t.newErrs[len(t.newErrs)-contract.MaxSessionErrors:]
		}
	}
	if e.pos.ok {
		t.last = e.pos
	}
}

// snap is the tracker's state at one instant, as a checkpoint writes it.
type snap struct {
	committed, sent           int64
	replayed, failed, skipped int64
	last                      position
	newErrs                   []contract.SessionError
}

// inFlight is how many events were handed out but are not committed.
func (s snap) inFlight() int64 { return s.sent - s.committed }

// snapshot returns the state and takes the error entries recorded since
// the previous snapshot.
func (t *tracker) snapshot() snap {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := snap{
		committed: t.base.Load(), sent: t.sent.Load(),
		replayed: t.replayed, failed: t.failed, skipped: t.skipped,
		last: t.last, newErrs: t.newErrs,
	}
	t.newErrs = nil
	return s
}

// takeCounts moves the per-type counts into dst for a metrics flush. The
// types are copied: metrics keep them as labels for long after the events,
// whose type shares a block with many other events' text (contract.Strings).
func (t *tracker) takeCounts(dst typeCounts) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, v := range t.counts.replayed {
		dst.replayed[strings.Clone(k)] += v
	}
	for k, v := range t.counts.failed {
		dst.failed[strings.Clone(k)] += v
	}
	for k, v := range t.counts.skipped {
		dst.skipped[strings.Clone(k)] += v
	}
	clear(t.counts.replayed)
	clear(t.counts.failed)
	clear(t.counts.skipped)
}

// span is how many events were sent and are not committed: what the
// tracker holds in memory.
func (t *tracker) span() int64 { return t.sent.Load() - t.base.Load() }

// sentCount is how many events were handed out.
func (t *tracker) sentCount() int64 { return t.sent.Load() }

// peek is the tracker's counters without taking the error entries.
func (t *tracker) peek() snap {
	t.mu.Lock()
	defer t.mu.Unlock()
	return snap{
		committed: t.base.Load(), sent: t.sent.Load(),
		replayed: t.replayed, failed: t.failed, skipped: t.skipped, last: t.last,
	}
}

// newestSent is the position of the last event handed out, if it had one.
func (t *tracker) newestSent() (position, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.newest, t.newest.ok
}
