package dlq

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/wait"
)

// outcome is what ingestion did with one item of a batch.
type outcome uint8

const (
	// outDuplicate: the message is stored with this failure or a later one
	// (a re-delivered record); nothing changed.
	outDuplicate outcome = iota
	// outCreated: this batch inserted the message.
	outCreated
	// outRefailed: the stored message failed again; it took this failure.
	outRefailed
	// outHeld: a new failure that could not be applied (another writer held
	// the message, or it vanished); the batch is left uncommitted.
	outHeld
	// outUnreadable: the stored message of this event cannot be read, so
	// whether the record is a new failure cannot be decided; the record is
	// quarantined (see unreadableStored) and the batch goes on.
	outUnreadable
)

// applied reports whether the item's failure is now the stored one, so it
// is counted, notified and (immediate strategy) sent like a new message.
func (o outcome) applied() bool { return o == outCreated || o == outRefailed }

// laterFailure reports whether failure time a is strictly later than b at
// the millisecond precision BSON dates keep.
func laterFailure(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).After(b.Truncate(time.Millisecond))
}

// storedState is what decides whether a record is a new failure of a stored
// message, read with a projection of plain fields (FerretDB gets computed
// projections wrong). The fields the update's filter repeats are kept raw,
// so a document written with other types (or nulls) still matches itself.
type storedState struct {
	ID    bson.ObjectID `bson:"_id"`
	Event struct {
		EventID string `bson:"event_id"`
	} `bson:"event"`
	RawFailedAt   bson.RawValue `bson:"failed_at"`
	RawStatus     bson.RawValue `bson:"status"`
	RawRetryCount bson.RawValue `bson:"retry_count"`
	Error         bson.RawValue `bson:"error"`
	DLQPartition  bson.RawValue `bson:"dlq_partition"`
	DLQOffset     bson.RawValue `bson:"dlq_offset"`
}

// failedAt is the stored failure time; zero when it is not a date, so any
// record is a later failure.
func (st *storedState) failedAt() time.Time {
	if dt, ok := st.RawFailedAt.DateTimeOK(); ok {
		return time.UnixMilli(dt).UTC()
	}
	return time.Time{}
}

func (st *storedState) status() contract.DLQStatus {
	s, _ := st.RawStatus.StringValueOK()
	return contract.DLQStatus(s)
}

func (st *storedState) retryCount() int64 {
	n, _ := st.RawRetryCount.AsInt64OK()
	return n
}

// guardValue is a stored value as an equality filter: null also matches a
// missing field.
func guardValue(v bson.RawValue) any {
	if v.Type == 0 || v.Type == bson.TypeNull {
		return nil
	}
	return v
}

var storedStateProjection = bson.D{
	{Key: "_id", Value: 1}, {Key: "event.event_id", Value: 1}, {Key: "failed_at", Value: 1},
	{Key: "status", Value: 1}, {Key: "retry_count", Value: 1}, {Key: "error", Value: 1},
	{Key: "dlq_partition", Value: 1}, {Key: "dlq_offset", Value: 1},
}

// refailWaitCap bounds the back-off between attempts on held messages.
const refailWaitCap = 2 * time.Second

// settle decides, after the insert, what became of each item: inserted,
// re-delivered, or a new failure of a stored message, which it applies.
// Duplicates cost one find per attempt; a batch without any costs nothing.
// A new failure whose message another writer holds is tried again with
// back-off for up to one claim lease (a crashed holder's claim can be taken
// over by then) and is otherwise left outHeld.
func (b *batch) settle(ctx context.Context, res store.InsertResult, r *refailer) error {
	b.kinds = make([]outcome, len(b.items))
	var dups []int
	for i, d := range res.Dup {
		if d {
			dups = append(dups, i)
		} else {
			b.kinds[i] = outCreated
		}
	}
	if len(dups) == 0 {
		return nil
	}
	deadline := time.Now().Add(b.m.claimTTL())
	delay := 50 * time.Millisecond
	for {
		var err error
		if dups, err = r.attempt(ctx, dups); err != nil {
			return err
		}
		if len(dups) == 0 || ctx.Err() != nil || !time.Now().Before(deadline) {
			break
		}
		_ = wait.Sleep(ctx, delay)
		delay = min(2*delay, refailWaitCap)
	}
	for _, i := range dups {
		b.kinds[i] = outHeld
		b.m.log().Warn("new failure of a DLQ message held by another writer; its record will be read again", "event_id", b.items[i].msg.EventID())
	}
	return nil
}

// heldError fails the batch when new failures were left unapplied, so its
// offsets are not committed and the records are read again.
func (b *batch) heldError() error {
	var ids []string
	for i, k := range b.kinds {
		if k == outHeld {
			ids = append(ids, b.items[i].msg.EventID())
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return fmt.Errorf("new failures of %d stored DLQ messages not applied (held by another process, or deleted meanwhile): %s; the batch is left uncommitted to be read again",
		len(ids), strings.Join(ids, ", "))
}

// refailer applies a batch's new failures of stored messages, each under a
// claim (refailKey) so no retry, discard or other ingester writes it at the
// same time. The claims are released when the batch's writes are done (an
// immediate retry's rollback is one).
type refailer struct {
	b     *batch
	sends *ingestSends
	set   claimSet // refail claims we hold (not those of sends)
}

type refailCand struct {
	i   int
	st  storedState
	key string
}

// attempt reads the stored state of the pending duplicates in one find,
// settles re-deliveries, claims and applies new failures, and returns the
// items to try again.
func (r *refailer) attempt(ctx context.Context, pending []int) ([]int, error) {
	b := r.b
	stored, unreadable, err := b.storedStates(ctx, pending)
	if err != nil {
		return nil, err
	}
	var cands []refailCand
	for _, i := range pending {
		msg := &b.items[i].msg
		st, ok := stored[msg.EventID()]
		bad, isBad := unreadable[msg.EventID()]
		switch {
		case !ok && isBad:
			b.kinds[i] = outUnreadable
			b.unreadable[msg.EventID()] = bad
		case !ok: // deleted since the insert: a re-read inserts it again
			b.kinds[i] = outHeld
			b.m.log().Warn("DLQ message deleted while its record was stored; its record will be read again", "event_id", msg.EventID())
		case st.ID == b.ids[i]: // our own first attempt on a busy server
			b.kinds[i] = outCreated
		case !laterFailure(msg.FailedAt, st.failedAt()):
			b.kinds[i] = outDuplicate
		default:
			cands = append(cands, refailCand{i: i, st: st, key: refailKey(msg.EventID(), st.status(), st.retryCount(), st.failedAt())})
		}
	}
	if err := r.claim(ctx, cands); err != nil {
		return nil, err
	}
	var again []int
	for _, c := range cands {
		if !r.holds(c.key) {
			b.m.log().Debug("new failure of a DLQ message held by another writer; trying again", "event_id", c.st.Event.EventID, "claim", c.key)
			again = append(again, c.i)
			continue
		}
		ok, err := b.applyRefail(ctx, c.i, c.st)
		if err != nil {
			return nil, err
		}
		if ok {
			continue // the claim is kept until the batch's writes are done
		}
		// Changed between the read and the claim: read it again.
		b.m.log().Debug("DLQ message changed before its new failure was stored; reading it again", "event_id", c.st.Event.EventID)
		again = append(again, c.i)
		if err := b.m.release(ctx, r.set, []string{c.key}); err != nil {
			b.m.log().Warn("cannot release claims", "event_id", c.st.Event.EventID, "error", err)
		}
	}
	return again, nil
}

func (r *refailer) holds(key string) bool { return r.set.has(key) || r.sends.set.has(key) }

// claim takes the refail claims not already held; an immediate retry of the
// stored round holds its claim already (sends).
func (r *refailer) claim(ctx context.Context, cands []refailCand) error {
	var ids, keys []string
	var rounds []int64
	for _, c := range cands {
		if !r.holds(c.key) {
			ids = append(ids, c.st.Event.EventID)
			rounds = append(rounds, c.st.retryCount())
			keys = append(keys, c.key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	set, err := r.b.m.claimKeys(ctx, ids, rounds, keys, purposeRefail)
	if err != nil {
		return err
	}
	for k, id := range set.held {
		r.set.held[k] = id
	}
	return nil
}

func newRefailer(b *batch, sends *ingestSends) *refailer {
	return &refailer{b: b, sends: sends, set: claimSet{held: map[string]string{}}}
}

func (r *refailer) releaseAll(ctx context.Context) {
	if err := r.b.m.releaseAll(ctx, r.set); err != nil {
		r.b.m.log().Warn("cannot release claims", "error", err)
	}
}

// storedStates loads the stored state of items' messages in one find,
// decoding document by document: a stored message that cannot be read is
// returned in unreadable (by event id) instead of failing the batch.
func (b *batch) storedStates(ctx context.Context, idx []int) (map[string]storedState, map[string]store.Skipped, error) {
	ids := make([]string, len(idx))
	for j, i := range idx {
		ids[j] = b.items[i].msg.EventID()
	}
	var (
		out        map[string]storedState
		unreadable map[string]store.Skipped
	)
	err := store.WithRetry(ctx, func(ctx context.Context) error {
		cur, err := b.m.Store.DLQ.Find(ctx, bson.D{{Key: "event.event_id", Value: bson.D{{Key: "$in", Value: ids}}}},
			options.Find().SetProjection(storedStateProjection).SetBatchSize(1000))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		out, unreadable = make(map[string]storedState, len(ids)), map[string]store.Skipped{}
		for cur.Next(ctx) {
			var st storedState
			if err := bson.Unmarshal(cur.Current, &st); err != nil {
				unreadable[rawEventID(cur.Current)] = store.Skipped{ID: store.DocID(cur.Current), Collection: b.m.Store.DLQ.Name(), Err: err}
				continue
			}
			out[st.Event.EventID] = st
		}
		return cur.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("check stored DLQ messages: %w", store.Wrap(err))
	}
	return out, unreadable, nil
}

// unreadableStored quarantines the records whose stored message cannot be
// read. Treating the stored message as absent would stall ingestion (the
// insert keeps hitting its unique event id), and overwriting a document
// replayctl cannot read would destroy someone's data; in dlq_invalid the
// record is kept, with a reason naming the document to fix, and can be
// produced again once it is fixed or removed.
func (b *batch) unreadableStored(ctx context.Context) error {
	var skipped []store.Skipped
	b.quarantine = b.quarantine[:0] // the parse's entries are stored already
	for i, k := range b.kinds {
		if k != outUnreadable {
			continue
		}
		in := b.items[i]
		s := b.unreadable[in.msg.EventID()]
		skipped = append(skipped, s)
		reason := fmt.Sprintf("stored DLQ message of event %s (%s _id %s) cannot be read: %v", in.msg.EventID(), s.Collection, s.ID, s.Err)
		b.quarantine = append(b.quarantine, quarantineDoc(in.rec, reason, b.now))
		b.m.log().Warn("quarantined DLQ record", "topic", in.rec.Topic, "partition", in.rec.Partition, "offset", in.rec.Offset,
			"event_id", in.msg.EventID(), "reason", reason)
	}
	if len(skipped) == 0 {
		return nil
	}
	b.m.logSkipped(skipped)
	return b.storeQuarantine(ctx)
}

// applyRefail stores item i's failure over the stored message st, as the
// platform's replacement does: every field a fresh insert writes, in the
// state decide (and claimImmediate) resolved, except _id, with last_error =
// the stored error. created_at is set again (the record's, or now), as the
// platform does, so its 7-day TTL counts from the latest failure and does
// not delete a message that still has retries scheduled. The count of
// failed sends belongs to the previous failure and is removed. The filter
// repeats st, so a message that changed since it was read is left alone
// (false).
func (b *batch) applyRefail(ctx context.Context, i int, st storedState) (bool, error) {
	in := b.items[i]
	doc := in.storedDoc(st.ID, b.states[i], b.now)
	set := make(bson.D, 0, len(doc))
	for _, e := range doc {
		switch e.Key {
		case "_id":
			continue
		case "last_error":
			e.Value = guardValue(st.Error)
		}
		set = append(set, e)
	}
	filter := bson.D{
		{Key: "_id", Value: st.ID}, {Key: "event.event_id", Value: st.Event.EventID},
		{Key: "failed_at", Value: guardValue(st.RawFailedAt)}, {Key: "retry_count", Value: guardValue(st.RawRetryCount)},
		{Key: "status", Value: guardValue(st.RawStatus)},
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: SendFailuresField, Value: ""}}}}
	matched, err := b.m.Store.DLQ.UpdateOne(ctx, filter, update)
	if err != nil {
		return false, fmt.Errorf("store new failure of DLQ message %s: %w", st.Event.EventID, err)
	}
	if !matched {
		return false, nil
	}
	b.kinds[i] = outRefailed
	b.m.log().Info("DLQ message failed again", "event_id", st.Event.EventID, "previous_status", st.status(),
		"previous_failed_at", st.failedAt(), "failed_at", in.msg.FailedAt, "retry_count", in.msg.RetryCount,
		"previous_dlq_partition", intOrNil(st.DLQPartition), "previous_dlq_offset", intOrNil(st.DLQOffset))
	return true, nil
}

func intOrNil(v bson.RawValue) any {
	if n, ok := v.AsInt64OK(); ok {
		return n
	}
	return nil
}
