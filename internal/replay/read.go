package replay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/wait"
)

// read streams the session's events through one cursor in (timestamp, _id)
// order from the checkpoint, until the events or max_events run out (nil),
// the run is stopped (readCtx ends), or reading fails for good.
func (r *runner) read() error {
	limit := int64(-1)
	if m := r.sess.Config.MaxEvents; m != nil {
		limit = max(*m-r.processedAtStart(), 0)
	}
	cur, err := r.openCursor(r.after)
	if err != nil {
		return err
	}
	pf := prefetch(r.readCtx, cur, r.decoder())
	defer func() { pf.close() }()
	var read, lastSignal int64
	outages := 0
	for limit < 0 || read < limit {
		b, ok := <-pf.ch
		if !ok {
			return nil // the end, or the run was stopped
		}
		for _, d := range b.docs {
			if (limit >= 0 && read >= limit) || r.readCtx.Err() != nil {
				return nil // max_events reached, or stopped: send no more
			}
			if err := r.handle(d); err != nil {
				return err
			}
			read++
			if sent := r.tr.sentCount(); sent-lastSignal >= checkpointEvery {
				lastSignal = sent
				r.signalCheckpoint()
			}
		}
		if len(b.docs) > 0 {
			outages = 0
		}
		if b.err == nil || r.readCtx.Err() != nil {
			continue
		}
		if !transientStoreError(b.err) && !store.IsCursorLost(b.err) {
			return fmt.Errorf("read events: %w", store.Wrap(b.err))
		}
		// One new query from the last event read, not the checkpoint: what
		// was read is already on its way. A cursor the server dropped (idle
		// for 10 minutes behind a slow --rate, killed, or lost in a
		// failover) is reopened the same way: the events are still there.
		r.log.Warn("event cursor failed; reopening", "error", b.err)
		pf.close()
		if cur, err = r.reopen(outages); err != nil {
			return err
		}
		outages++
		pf = prefetch(r.readCtx, cur, r.decoder())
	}
	return nil
}

func (r *runner) openCursor(after *contract.Checkpoint) (EventStream, error) {
	batch := r.svc.cursorBatch
	if batch <= 0 {
		batch = cursorBatch
	}
	if r.svc.Events != nil {
		return r.svc.Events.Stream(r.readCtx, r.sess.Config.Filter, Bound(r.sess), after, batch)
	}
	cur, err := r.svc.Store.Events.Stream(r.readCtx, r.sess.Config.Filter, Bound(r.sess), after, batch)
	if err != nil {
		return nil, err
	}
	if r.svc.onCursor != nil {
		r.svc.onCursor(cur.ID())
	}
	return cursorStream{cur}, nil
}

func (r *runner) reopen(attempt int) (EventStream, error) {
	if err := wait.Sleep(r.readCtx, backoff(attempt, 500*time.Millisecond, 10*time.Second)); err != nil {
		return nil, err
	}
	after := r.after
	if r.lastRead.ok {
		after = r.lastRead.checkpoint()
	}
	for {
		cur, err := r.openCursor(after)
		if err == nil || !transientStoreError(err) || r.readCtx.Err() != nil {
			return cur, err
		}
		attempt++
		if err := wait.Sleep(r.readCtx, backoff(attempt, 500*time.Millisecond, 10*time.Second)); err != nil {
			return nil, err
		}
	}
}

func closeStream(s EventStream) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.Close(ctx)
}

func transientStoreError(err error) bool {
	return store.IsRetryable(err) || fault.KindOf(store.Wrap(err)) == fault.Unavailable
}

// decoder parses each stored document and, for unpaced runs, encodes its
// value, in the prefetcher's goroutine. The replay time written into an
// event encoded ahead is then read a few milliseconds (at most
// prefetchDepth batches) before its send, which an unpaced run cannot tell
// from the send itself; a paced run waits before each send, so its events
// are encoded by the reader after the wait, at their replay time.
func (r *runner) decoder() func(bson.Raw) decoded {
	ahead := r.pace.unpaced()
	var own decoderState // the prefetcher's own
	return func(raw bson.Raw) decoded {
		if ahead {
			return r.decodeAhead(raw, &own)
		}
		d := decoded{raw: raw}
		d.ev, d.perr = contract.ParseStoredEvent(raw)
		return d
	}
}

// decoderState is what the decoding goroutine reuses from event to event.
type decoderState struct {
	clock timeText
	strs  contract.Strings
}

// decodeAhead parses raw and encodes its message in one walk of the
// document; a message for a document that is skipped goes back unsent.
func (r *runner) decodeAhead(raw bson.Raw, own *decoderState) decoded {
	d := decoded{raw: raw}
	m, replayTime := r.stampedMessage(len(raw)+64, &own.clock)
	var value []byte
	d.ev, value, d.perr, d.eerr = contract.ParseAndAppendEventJSON(m.value, raw, replayTime, &own.strs)
	if d.perr != nil || d.eerr != nil {
		r.msgs.put(m)
		return d
	}
	d.m = r.encoded(m, d.ev, value)
	return d
}

// handle paces, encodes (unless decoded ahead) and sends one stored
// document, in stream order. A document that is not a valid event is
// counted as skipped, with an error entry.
func (r *runner) handle(d decoded) error {
	pos := r.headPosition(positionOf(d.raw, d.ev, d.perr), d.raw)
	if pos.ok {
		r.lastRead = pos
	}
	if d.perr != nil {
		r.skip(pos, d.ev, d.perr)
		return nil
	}
	if err := r.pace.wait(r.readCtx, time.Now, d.ev.Timestamp); err != nil {
		return err
	}
	m, err := d.m, d.eerr
	if m == nil && err == nil {
		m, err = r.encode(d.raw, d.ev, &r.clockText)
	}
	if err != nil {
		r.skip(pos, d.ev, err)
		return nil
	}
	return r.send(m, pos)
}

// encode makes the message of one valid event, its value stamped with the
// replay time now.
func (r *runner) encode(raw bson.Raw, ev contract.StoredEvent, clock *timeText) (*message, error) {
	m, replayTime := r.stampedMessage(len(raw)+64, clock)
	value, err := contract.AppendEventJSONAt(m.value, raw, replayTime)
	if err != nil {
		return nil, err
	}
	return r.encoded(m, ev, value), nil
}

// stampedMessage is a new message stamped with the replay time now, and
// the text its value carries in place of `timestamp` (nil: the stored one).
func (r *runner) stampedMessage(size int, clock *timeText) (*message, []byte) {
	m := r.newMessage(size)
	m.replayedAt = r.svc.now()
	m.replayedAtText = clock.format(m.replayedAt)
	if r.sess.Config.PreserveTimestamps {
		return m, nil
	}
	return m, m.replayedAtText
}

// encoded completes m with its event and its encoded value.
func (r *runner) encoded(m *message, ev contract.StoredEvent, value []byte) *message {
	m.ev, m.value = ev, value
	m.ev.Raw = nil // not kept past the send
	return m
}

// newMessage is a message for the next event, with a value buffer of at
// least size bytes, recycled when possible (see messagePool).
func (r *runner) newMessage(size int) *message {
	m := r.msgs.get(size)
	m.done = r.onDone
	return m
}

// timeText formats times as the contract writes dates, once per
// millisecond: every event of a millisecond shares the text.
type timeText struct {
	ms   int64
	text []byte
}

func (c *timeText) format(t time.Time) []byte {
	if ms := t.UnixMilli(); ms != c.ms || c.text == nil {
		c.ms, c.text = ms, contract.AppendTime(make([]byte, 0, len(contract.TimeFormat)+4), t)
	}
	return c.text
}

func (r *runner) send(m *message, pos position) error {
	if sent := r.tr.sentCount(); !r.gate.allows(sent) {
		r.signalCheckpoint()
		if err := r.gate.wait(r.readCtx, sent); err != nil {
			return err
		}
	}
	m.size = int64(len(m.value) + 256)
	if r.win != nil {
		if err := r.win.acquire(r.readCtx, m.size); err != nil {
			return err
		}
		// One event stuck in retries must not let the tracker grow without
		// bound while later ones are acknowledged.
		for r.tr.span() >= maxSpan {
			if err := r.win.waitRelease(r.readCtx); err != nil {
				r.win.release(m.size)
				return err
			}
		}
	}
	m.seq = r.tr.add(pos, m.ev.EventType)
	r.tookDup(pos)
	if err := r.sink.send(m); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	return nil
}

// finished is every message's done: the target's answer is recorded, then
// the message's room in the window is given back.
func (r *runner) finished(m *message, err error) {
	r.delivered(m.seq, m.ev.EventID, m.ev.EventType, err)
	if r.win != nil {
		r.win.release(m.size) // after the tracker: an idle window means all is counted
	}
	r.msgs.put(m) // the sink is done with it: see messagePool
}

// delivered records the target's answer for one event.
func (r *runner) delivered(seq int64, eventID, eventType string, err error) {
	switch {
	case err == nil:
		r.tr.complete(seq, outcomeReplayed, nil)
	case errors.Is(err, errAborted):
		// In flight when the run stopped: it stays uncommitted, so a resume
		// sends it again.
	case errors.Is(err, errClientClosed):
		r.stop(reasonInterrupt, err)
	default:
		e := sessionError(r.svc.now(), err, errorType(err), eventID)
		r.tr.complete(seq, outcomeFailed, &e)
		r.log.Warn("event failed", "event_id", eventID, "event_type", eventType, "error", err)
		if !r.sess.Config.SkipErrors {
			r.stop(reasonFailFast, fmt.Errorf("event %s failed: %w", eventID, err))
		}
	}
}

func (r *runner) skip(pos position, ev contract.StoredEvent, err error) {
	e := sessionError(r.svc.now(), err, "malformed_event", ev.EventID)
	typ := ev.EventType
	if typ == "" {
		typ = "unknown"
	}
	seq := r.tr.add(pos, typ)
	r.tr.complete(seq, outcomeSkipped, &e)
	r.log.Warn("skipped a stored document that is not a valid event", "event_id", ev.EventID, "error", err)
}

func (r *runner) signalCheckpoint() {
	select {
	case r.ckptNow <- struct{}{}:
	default:
	}
}

// headPosition gives a document that cannot be a (timestamp, _id)
// checkpoint a place in the leading run of documents whose timestamp is not
// a date, so the checkpoint moves past them and a resume skips them rather
// than reading and counting them again. Non-dates of the types BSON sorts
// after dates (timestamp, regex) end the run; nothing after a date is
// counted this way.
func (r *runner) headPosition(pos position, raw bson.Raw) position {
	if pos.ok {
		r.head = -1
		return pos
	}
	if r.head < 0 {
		return pos
	}
	if ts, err := raw.LookupErr("timestamp"); err == nil && !sortsBeforeDates(ts.Type) {
		r.head = -1
		return pos
	}
	r.head++
	return position{ok: true, head: r.head}
}

// sortsBeforeDates is MongoDB's comparison order of BSON types: MinKey,
// null, numbers, symbol and string, object, array, binary, ObjectId and
// boolean all sort before dates; a missing field sorts as null.
func sortsBeforeDates(t bson.Type) bool {
	switch t {
	case bson.TypeDateTime, bson.TypeTimestamp, bson.TypeRegex, bson.TypeMaxKey,
		bson.TypeJavaScript, bson.TypeCodeWithScope, bson.TypeDBPointer:
		return false
	}
	return true
}

// positionOf is where a document sits in replay order, when it has a date
// timestamp and an ObjectID _id (a malformed document may lack them).
func positionOf(raw bson.Raw, ev contract.StoredEvent, perr error) position {
	if perr == nil {
		return position{ts: ev.Timestamp, oid: ev.ObjectID, eventID: ev.EventID, ok: !ev.ObjectID.IsZero()}
	}
	id, err1 := raw.LookupErr("_id")
	ts, err2 := raw.LookupErr("timestamp")
	if err1 != nil || err2 != nil || id.Type != bson.TypeObjectID || ts.Type != bson.TypeDateTime {
		return position{}
	}
	return position{ts: time.UnixMilli(ts.DateTime()).UTC(), oid: id.ObjectID(), eventID: ev.EventID, ok: true}
}
