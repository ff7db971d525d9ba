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

func (d *dupBudget) take() {
	if d.remaining.Load() > 0 {
		d.remaining.Add(-1)
		d.counted.Add(1)
	}
}

// gate keeps the reader within the reservation of the last written
// checkpoint.
type gate struct {
	mu    sync.Mutex
	limit int64
	off   bool
	wake  chan struct{}
}

func newGate() *gate { return &gate{wake: make(chan struct{}, 1)} }

func (g *gate) disable() {
	g.mu.Lock()
	g.off = true
	g.mu.Unlock()
}

func (g *gate) allows(sent int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.off || sent < g.limit
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
	if limit > g.limit {
		g.limit = limit
	}
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}
