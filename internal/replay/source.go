package replay

import (
	"context"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// EventSource streams the stored events a filter selects in replay order
// ((timestamp, _id)), after a checkpoint. The engine reads MongoDB's events
// collection unless Service.Events names another source: the engine
// benchmark feeds it from memory this way, so the engine can be measured
// without the event store setting the pace.
type EventSource interface {
	Stream(ctx context.Context, f contract.Filter, bound store.Bound, after *contract.Checkpoint, batch int32) (EventStream, error)
}

// EventStream yields stored documents a batch at a time.
type EventStream interface {
	// NextBatch returns the next documents; the caller may keep them (they
	// are never reused). It returns io.EOF after the last one; documents
	// may come with the error that ended the stream.
	NextBatch(ctx context.Context) ([]bson.Raw, error)
	Close(ctx context.Context) error
}

// cursorStream is a MongoDB cursor read one server batch at a time, each
// batch's documents copied into one buffer: the cursor reuses its own.
type cursorStream struct{ cur *mongo.Cursor }

func (s cursorStream) NextBatch(ctx context.Context) ([]bson.Raw, error) {
	var (
		buf  []byte
		offs []int
	)
	for s.cur.Next(ctx) {
		if buf == nil {
			buf = make([]byte, 0, (s.cur.RemainingBatchLength()+1)*len(s.cur.Current))
		}
		offs = append(offs, len(buf))
		buf = append(buf, s.cur.Current...)
		if s.cur.RemainingBatchLength() == 0 {
			return split(buf, offs), nil
		}
	}
	err := s.cur.Err()
	if err == nil {
		err = io.EOF
	}
	return split(buf, offs), err
}

func (s cursorStream) Close(ctx context.Context) error { return s.cur.Close(ctx) }

// split cuts buf into the documents starting at offs.
func split(buf []byte, offs []int) []bson.Raw {
	docs := make([]bson.Raw, len(offs))
	for i, start := range offs {
		end := len(buf)
		if i+1 < len(offs) {
			end = offs[i+1]
		}
		docs[i] = bson.Raw(buf[start:end:end])
	}
	return docs
}
