package replay

import (
	"context"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// startCount fills total_events in the background on a first run, beside
// the stream rather than before it. It starts at once: on the embedded
// server the stream's first phase is a single-threaded in-memory sort, so
// the count gets the other core instead of competing with the sends later.
func (r *runner) startCount() {
	if r.needCount {
		r.needCount = false
		go r.count()
	}
}

func (r *runner) count() {
	n, err := r.countSelection()
	if err != nil {
		if r.readCtx.Err() == nil {
			r.log.Warn("count matching events", "error", err)
		}
		return
	}
	if m := r.sess.Config.MaxEvents; m != nil && n > *m {
		n = *m
	}
	r.total.CompareAndSwap(-1, n)
}

// countSelection counts the events the run reads: its filter under the
// session's insertion bound. A first run of a session that selects every
// event asks the collection's statistics instead: the bound leaves out only
// what was stored since the first start, moments ago, and any other count
// on the embedded server decodes every stored event, as much work as the
// run's own read, beside it (the replay's rate fell to 0.6 of a raw scan).
// The total is made exact when the session completes; a session that
// stops first keeps the statistics' figure, taken moments after its first
// start (off by what was stored in those moments; on MongoDB, by whatever
// an unclean shutdown left its statistics off by).
func (r *runner) countSelection() (int64, error) {
	f := r.sess.Config.Filter
	if r.runs == 0 && len(store.FilterQuery(f)) == 0 {
		return r.svc.Store.Events.Count(r.readCtx, f)
	}
	return r.svc.Store.Events.CountBounded(r.readCtx, f, Bound(r.sess))
}

// countMatching counts the events a filter selects; the store answers an
// empty filter from the collection's statistics instead of a scan.
func countMatching(ctx context.Context, s *Service, f contract.Filter) (int64, error) {
	return s.Store.Events.Count(ctx, f)
}
