package verify

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

// selection is the session's expected events, evaluated as the run did.
type selection struct {
	set     *idSet
	spans   []span
	types   map[string]struct{}
	skipped int64
}

const selectionBatch = 1000

// selection streams the ids the run selected, document by document: the
// bounded filter, the replay order, max_events counting every document
// read, and documents that are not valid events skipped (not expected).
func (s *Service) selection(ctx context.Context, sess *contract.Session) (*selection, error) {
	hint := sess.TotalEvents
	if m := sess.Config.MaxEvents; m != nil && *m < hint {
		hint = *m
	}
	// A hint, not a reservation: total_events may be in the millions, and
	// the set grows as it needs to.
	sel := &selection{set: newIDSet(int(min(max(hint, 0), 1<<20) + 16)), types: map[string]struct{}{}}
	res := newResolver(windowsOf(sess))
	cur, err := s.Store.Events.StreamSelection(ctx, sess.Config.Filter, replay.Bound(sess), selectionBatch)
	if err != nil {
		return nil, err
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	limit := int64(-1)
	if m := sess.Config.MaxEvents; m != nil {
		limit = *m
	}
	var read int64
	for (limit < 0 || read < limit) && cur.Next(ctx) {
		read++
		sel.observe(cur.Current, res)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("read the selection of session %s: %w", sess.SessionID, store.Wrap(err))
	}
	sel.spans = res.done(sel.set.len())
	sel.set.seal()
	return sel, nil
}

// observe takes one stored document in replay order.
func (sel *selection) observe(raw bson.Raw, res *resolver) {
	ev, err := contract.ParseStoredEvent(raw)
	if err != nil {
		sel.skipped++
		return
	}
	i := sel.set.len()
	sel.set.add(ev.EventID)
	sel.types[ev.EventType] = struct{}{}
	res.observe(i, pos{ms: ev.Timestamp.UnixMilli(), oid: ev.ObjectID})
}
