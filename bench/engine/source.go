package main

import (
	"context"
	"io"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

// memSource serves stored-format documents, already in replay order, from
// memory through the interface the engine reads MongoDB with. It ignores
// the filter: the benchmark's sessions select every event.
type memSource struct{ docs []bson.Raw }

func (s memSource) Stream(_ context.Context, _ contract.Filter, _ store.Bound, after *contract.Checkpoint, batch int32) (replay.EventStream, error) {
	return &memStream{docs: s.docs[s.start(after):], batch: int(max(batch, 1))}, nil
}

// start is the index of the first document after the checkpoint.
func (s memSource) start(after *contract.Checkpoint) int {
	switch {
	case after == nil:
		return 0
	case after.HeadOnly():
		return int(min(after.Head, int64(len(s.docs))))
	}
	oid, _ := bson.ObjectIDFromHex(after.ObjectID)
	return sort.Search(len(s.docs), func(i int) bool {
		ev, err := contract.ParseStoredEvent(s.docs[i])
		if err != nil {
			return false
		}
		if c := ev.Timestamp.Compare(after.Timestamp); c != 0 {
			return c > 0
		}
		return ev.ObjectID.Hex() > oid.Hex()
	})
}

type memStream struct {
	docs  []bson.Raw
	batch int
}

func (m *memStream) NextBatch(context.Context) ([]bson.Raw, error) {
	if len(m.docs) == 0 {
		return nil, io.EOF
	}
	n := min(m.batch, len(m.docs))
	b := m.docs[:n:n]
	m.docs = m.docs[n:]
	return b, nil
}

func (m *memStream) Close(context.Context) error { return nil }
