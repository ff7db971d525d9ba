package replay

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// prefetchDepth is how many cursor batches wait, copied, for the reader.
const prefetchDepth = 2

// docBatch is one cursor batch, its documents copied into one buffer.
type docBatch struct {
	docs []bson.Raw
	err  error // the cursor's error after the last batch; nil at the end
}

// prefetcher reads a cursor in its own goroutine, so the server prepares
// the next batch (getMore) while the reader encodes and sends this one.
// Memory is bounded by prefetchDepth batches.
type prefetcher struct {
	ch     chan docBatch
	cancel context.CancelFunc
	done   chan struct{}
}

func prefetch(ctx context.Context, cur *mongo.Cursor) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetcher{ch: make(chan docBatch, prefetchDepth), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer close(p.ch)
		defer closeCursor(cur)
		p.run(ctx, cur)
	}()
	return p
}

func (p *prefetcher) run(ctx context.Context, cur *mongo.Cursor) {
	var (
		buf  []byte
		offs []int
	)
	flush := func(err error) bool {
		b := docBatch{docs: make([]bson.Raw, len(offs)), err: err}
		for i, start := range offs {
			end := len(buf)
			if i+1 < len(offs) {
				end = offs[i+1]
			}
			b.docs[i] = bson.Raw(buf[start:end:end])
		}
		buf, offs = nil, nil
		select {
		case p.ch <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for cur.Next(ctx) {
		if buf == nil {
			buf = make([]byte, 0, (cur.RemainingBatchLength()+1)*len(cur.Current))
		}
		offs = append(offs, len(buf))
		buf = append(buf, cur.Current...)
		if cur.RemainingBatchLength() == 0 && !flush(nil) {
			return
		}
	}
	if err := cur.Err(); len(offs) > 0 || err != nil {
		flush(err)
	}
}

// close stops the goroutine and waits for it (and the cursor) to end.
func (p *prefetcher) close() {
	p.cancel()
	for range p.ch { // unblock a pending send
	}
	<-p.done
}
