package replay

import (
	"context"
	"sync"
)

// window bounds the events and bytes handed to a sink and not yet done, so
// memory stays flat however many events a replay has. It has one waiter at a
// time (the reader, then the finisher), so a one-slot wake channel suffices.
type window struct {
	mu             sync.Mutex
	n, bytes       int64
	maxN, maxBytes int64
	wake           chan struct{}
}

func newWindow(maxN, maxBytes int64) *window {
	return &window{maxN: maxN, maxBytes: maxBytes, wake: make(chan struct{}, 1)}
}

// acquire takes room for one event of size b; an event larger than the
// whole byte budget is let through alone.
func (w *window) acquire(ctx context.Context, b int64) error {
	for {
		w.mu.Lock()
		if w.n < w.maxN && (w.bytes+b <= w.maxBytes || w.n == 0) {
			w.n++
			w.bytes += b
			w.mu.Unlock()
			return nil
		}
		w.mu.Unlock()
		select {
		case <-w.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (w *window) release(b int64) {
	w.mu.Lock()
	w.n--
	w.bytes -= b
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// waitRelease waits for the next release.
func (w *window) waitRelease(ctx context.Context) error {
	select {
	case <-w.wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// idle waits until nothing is in flight.
func (w *window) idle(ctx context.Context) error {
	for {
		w.mu.Lock()
		n := w.n
		w.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-w.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (w *window) inFlight() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}
