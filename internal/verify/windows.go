package verify

import (
	"bytes"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// pos is an expected event's place in replay order. Expected events always
// have a date timestamp (the run skips the others).
type pos struct {
	ms  int64
	oid bson.ObjectID
}

// bound is a checkpoint as a place in replay order: nil and head-only
// checkpoints lie before every dated event.
type bound struct {
	beforeAll bool
	p         pos
}

func boundOf(cp *contract.Checkpoint) bound {
	if cp == nil || cp.HeadOnly() || cp.ObjectID == "" {
		return bound{beforeAll: cp == nil || cp.ObjectID == ""}
	}
	oid, _ := bson.ObjectIDFromHex(cp.ObjectID)
	return bound{p: pos{ms: cp.Timestamp.UnixMilli(), oid: oid}}
}

// after reports p strictly after b.
func (b bound) after(p pos) bool {
	if b.beforeAll {
		return true
	}
	if p.ms != b.p.ms {
		return p.ms > b.p.ms
	}
	return bytes.Compare(p.oid[:], b.p.oid[:]) > 0
}

// span is a window resolved to replay indexes of expected events, lo..hi
// inclusive; lo < 0 means no expected event lies in it.
type span struct {
	lo, hi int
}

// resolver maps the recorded windows onto replay indexes as the expected
// events stream past in order.
type resolver struct {
	wins   []contract.DuplicateWindow
	starts []bound
	ends   []*bound // nil: the window is Count events long
	spans  []span
	byAt   []int // window indexes sorted by start
	next   int   // the first of byAt not started yet
	active []int // started windows with an end position not yet passed
}

func newResolver(wins []contract.DuplicateWindow) *resolver {
	r := &resolver{wins: wins, spans: make([]span, len(wins)), byAt: make([]int, len(wins))}
	for i, w := range wins {
		r.starts = append(r.starts, boundOf(w.After))
		var end *bound
		if w.Through != nil {
			b := boundOf(w.Through)
			end = &b
		}
		r.ends = append(r.ends, end)
		r.spans[i] = span{lo: -1, hi: -2}
		r.byAt[i] = i
	}
	sort.SliceStable(r.byAt, func(a, b int) bool {
		sa, sb := r.starts[r.byAt[a]], r.starts[r.byAt[b]]
		if sa.beforeAll || sb.beforeAll {
			return sa.beforeAll && !sb.beforeAll
		}
		return sa.after(sb.p) // sb lies after sa
	})
	return r
}

// observe places the expected event at replay index i and position p.
func (r *resolver) observe(i int, p pos) {
	for r.next < len(r.byAt) && r.starts[r.byAt[r.next]].after(p) {
		w := r.byAt[r.next]
		r.spans[w].lo = i
		if r.ends[w] == nil {
			r.spans[w].hi = i + int(r.wins[w].Count) - 1
		} else {
			r.active = append(r.active, w)
		}
		r.next++
	}
	keep := r.active[:0]
	for _, w := range r.active {
		if r.ends[w].after(p) {
			continue // past its end: closed
		}
		r.spans[w].hi = i
		keep = append(keep, w)
	}
	r.active = keep
}

// done clamps the spans to the n expected events.
func (r *resolver) done(n int) []span {
	for i := range r.spans {
		if r.spans[i].hi > n-1 {
			r.spans[i].hi = n - 1
		}
	}
	return r.spans
}

// inSpans reports whether replay index i lies in any span.
func inSpans(spans []span, i int) bool {
	for _, s := range spans {
		if s.lo >= 0 && s.lo <= i && i <= s.hi {
			return true
		}
	}
	return false
}
