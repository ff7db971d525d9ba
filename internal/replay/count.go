package replay

import (
	"context"

	"github.com/integr8scode/replayctl/internal/contract"
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
	n, err := r.svc.Store.Events.CountBounded(r.readCtx, r.sess.Config.Filter, Bound(r.sess))
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

// countMatching counts the events a filter selects; the store answers an
// empty filter from the collection's statistics instead of a scan.
func countMatching(ctx context.Context, s *Service, f contract.Filter) (int64, error) {
	return s.Store.Events.Count(ctx, f)
}
