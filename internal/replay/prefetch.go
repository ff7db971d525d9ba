package replay

import (
	"context"
	"errors"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// prefetchDepth is how many cursor batches wait, copied, for the reader.
const prefetchDepth = 2

// docBatch is one batch of the event stream, decoded.
type docBatch struct {
	docs []decoded
	err  error // the cursor's error after the last batch; nil at the end
}

// decoded is one stored document as the prefetcher's goroutine prepared it.
type decoded struct {
	raw  bson.Raw
	ev   contract.StoredEvent
	perr error    // not a valid event: skipped at its position
	m    *message // encoded ahead; nil: the reader encodes it when sending
	eerr error    // the transcoder's error when encoded ahead
}

// prefetcher reads an event stream in its own goroutine, so the server prepares
// the next batch (getMore) while the reader sends this one, and decodes each
// batch there too: parsing and transcoding are most of the engine's CPU, and
// on the reader they made it the serial bottleneck. Memory is bounded by
// prefetchDepth batches.
type prefetcher struct {
	ch     chan docBatch
	cancel context.CancelFunc
	done   chan struct{}
}

func prefetch(ctx context.Context, src EventStream, decode func(bson.Raw) decoded) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetcher{ch: make(chan docBatch, prefetchDepth), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer close(p.ch)
		defer closeStream(src)
		p.run(ctx, src, decode)
	}()
	return p
}

func (p *prefetcher) run(ctx context.Context, src EventStream, decode func(bson.Raw) decoded) {
	for {
		docs, err := src.NextBatch(ctx)
		end := err != nil
		if errors.Is(err, io.EOF) {
			err = nil
		}
		if len(docs) > 0 || err != nil {
			select {
			case p.ch <- docBatch{docs: decodeAll(docs, decode), err: err}:
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

func decodeAll(docs []bson.Raw, decode func(bson.Raw) decoded) []decoded {
	out := make([]decoded, len(docs))
	for i, raw := range docs {
		out[i] = decode(raw)
	}
	return out
}
