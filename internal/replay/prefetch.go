package replay

import (
	"context"
	"errors"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// prefetchDepth is how many cursor batches wait, copied, for the reader.
const prefetchDepth = 2

// docBatch is one batch of the event stream.
type docBatch struct {
	docs []bson.Raw
	err  error // the cursor's error after the last batch; nil at the end
}

// prefetcher reads an event stream in its own goroutine, so the server prepares
// the next batch (getMore) while the reader encodes and sends this one.
// Memory is bounded by prefetchDepth batches.
type prefetcher struct {
	ch     chan docBatch
	cancel context.CancelFunc
	done   chan struct{}
}

func prefetch(ctx context.Context, src EventStream) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetcher{ch: make(chan docBatch, prefetchDepth), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer close(p.ch)
		defer closeStream(src)
		p.run(ctx, src)
	}()
	return p
}

func (p *prefetcher) run(ctx context.Context, src EventStream) {
	for {
		docs, err := src.NextBatch(ctx)
		end := err != nil
		if errors.Is(err, io.EOF) {
			err = nil
		}
		if len(docs) > 0 || err != nil {
			select {
			case p.ch <- docBatch{docs: docs, err: err}:
			case <-ctx.Done():
				return
			}
		}
		if end {
			return
		}
	}
}

// close stops the goroutine and waits for it (and the cursor) to end.
func (p *prefetcher) close() {
	p.cancel()
	for range p.ch { // unblock a pending send
	}
	<-p.done
}
