package replay

import (
	"context"
	"sync"
	"sync/atomic"
)

// dupBudget counts the first events re-sent after a takeover: a
// predecessor may have delivered them already.
type dupBudget struct {
	remaining atomic.Int64
	counted   atomic.Int64
}

// take counts one event against the budget and reports whether it was
// the last one the budget covered.
func (d *dupBudget) take() bool {
	if d.remaining.Load() > 0 {
		d.counted.Add(1)
		return d.remaining.Add(-1) == 0
	}
	return false
}

// gate keeps the reader within the reservation of the last written
// checkpoint, and stops it altogether while the claim is unconfirmed
// (whatever the target): nothing is sent that a successor would not know of.
//
// The reader asks for every event, so the limit is read without a lock;
// only raise writes it (the controller, after a checkpoint write).
type gate struct {
	mu    sync.Mutex // serialises raise's read-and-raise
	limit atomic.Int64
	off   atomic.Bool
	held  func() bool // whether the claim is confirmed; nil: always
	wake  chan struct{}
}

func newGate(held func() bool) *gate { return &gate{wake: make(chan struct{}, 1), held: held} }

func (g *gate) disable() { g.off.Store(true) }

func (g *gate) allows(sent int64) bool {
	if g.held != nil && !g.held() {
		return false
	}
	return g.off.Load() || sent < g.limit.Load()
}

func (g *gate) wait(ctx context.Context, sent int64) error {
	for !g.allows(sent) {
		select {
		case <-g.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (g *gate) raise(limit int64) {
	g.mu.Lock()
	if limit > g.limit.Load() {
		g.limit.Store(limit)
	}
	g.mu.Unlock()
	g.notify()
}

// notify wakes a waiting reader to look again (the claim was confirmed).
func (g *gate) notify() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}
