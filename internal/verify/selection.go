package verify

import (
	"bytes"
	"context"
	"fmt"
	"time"

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
	stop := finalPosition(sess)
	if m := sess.Config.MaxEvents; m != nil && stop == nil {
		limit = *m
	}
	var read int64
	for (limit < 0 || read < limit) && cur.Next(ctx) {
		if stop != nil && stop.before(cur.Current) {
			break
		}
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

// endPos is a position in replay order, (timestamp, _id).
type endPos struct {
	ts  time.Time
	oid bson.ObjectID
}

// finalPosition is where a completed session with max_events stopped: its
// final checkpoint, at its last event. Counting max_events again would
// reach further once events before it expired. nil when the selection is
// to be counted instead (no max_events, not completed, a head-only or
// unreadable checkpoint).
func finalPosition(sess *contract.Session) *endPos {
	if sess.Config.MaxEvents == nil || sess.Status != contract.StatusCompleted || sess.Replayctl == nil {
		return nil
	}
	ck := sess.Replayctl.Checkpoint
	if ck == nil || ck.ObjectID == "" {
		return nil
	}
	oid, err := bson.ObjectIDFromHex(ck.ObjectID)
	if err != nil {
		return nil
	}
	return &endPos{ts: ck.Timestamp, oid: oid}
}

// before reports that raw lies past p in replay order. A document whose
// timestamp is not a date sorts ahead of every date, and one whose _id is
// not an ObjectID is taken as not past: both are read and skipped as the
// run skipped them.
func (p *endPos) before(raw bson.Raw) bool {
	dt, ok := raw.Lookup("timestamp").DateTimeOK()
	if !ok {
		return false
	}
	ts := time.UnixMilli(dt)
	if !ts.Equal(p.ts) {
		return ts.After(p.ts)
	}
	oid, ok := raw.Lookup("_id").ObjectIDOK()
	return ok && bytes.Compare(oid[:], p.oid[:]) > 0
}
