package dlq

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// batch is one fetch's worth of records being persisted.
type batch struct {
	m     *Manager
	now   time.Time
	stats ProcessStats

	quarantine []any
	items      []*incoming
	states     []state
	immediate  []bool
	ids        []bson.ObjectID
	kinds      []outcome // set by settle, after the insert
	// unreadable holds, by event id, the stored messages settle could not
	// read (outUnreadable).
	unreadable map[string]store.Skipped
}

// persistRecords turns one fetch into documents, quarantine entries and
// notifications, with a handful of round trips whatever its size.
func (m *Manager) persistRecords(ctx context.Context, recs []*kgo.Record) (ProcessStats, error) {
	b := &batch{m: m, now: m.nowMs(), unreadable: map[string]store.Skipped{}}
	b.parseAll(recs)
	if err := b.storeQuarantine(ctx); err != nil {
		return b.stats, err
	}
	if len(b.items) == 0 {
		return b.stats, nil
	}
	if err := b.decide(ctx); err != nil {
		return b.stats, err
	}
	return b.stats, b.store(ctx)
}

// parseAll parses, filters and de-duplicates the records. Of several records
// of one event, the latest failure is kept (the others count as duplicates).
func (b *batch) parseAll(recs []*kgo.Record) {
	seen := make(map[string]int, len(recs)) // event id -> index in items
	for _, rec := range recs {
		in, err := parseRecord(rec)
		var inv *invalidError
		if errors.As(err, &inv) {
			b.quarantine = append(b.quarantine, quarantineDoc(rec, inv.reason, b.now))
			b.m.log().Warn("quarantined DLQ record", "topic", rec.Topic, "partition", rec.Partition, "offset", rec.Offset, "event_id", "", "reason", inv.reason)
			continue
		}
		id := in.msg.EventID()
		switch {
		case b.now.Sub(in.msg.FailedAt) > maxAge:
			b.drop(id, "older than 7 days")
		case b.m.environment() != "test" && strings.HasPrefix(id, "test-"):
			b.drop(id, "test event outside a test environment")
		default:
			j, dup := seen[id]
			switch {
			case !dup:
				seen[id] = len(b.items)
				b.items = append(b.items, in)
			case laterFailure(in.msg.FailedAt, b.items[j].msg.FailedAt):
				b.items[j] = in
				b.stats.Duplicates++
			default:
				b.stats.Duplicates++
			}
		}
	}
}

func (b *batch) drop(eventID, why string) {
	b.stats.Dropped++
	b.m.log().Info("dropped DLQ record", "event_id", eventID, "reason", why)
}

func quarantineDoc(rec *kgo.Record, reason string, now time.Time) bson.D {
	hs := make(map[string]string, len(rec.Headers))
	for _, h := range rec.Headers {
		hs[h.Key] = string(h.Value)
	}
	return bson.D{
		{Key: "topic", Value: rec.Topic}, {Key: "partition", Value: rec.Partition}, {Key: "offset", Value: rec.Offset},
		{Key: "key", Value: rec.Key}, {Key: "value", Value: rec.Value}, {Key: "headers", Value: hs},
		{Key: "reason", Value: reason}, {Key: "received_at", Value: now},
	}
}

// storeQuarantine inserts quarantined records; one already there (a re-read)
// hits the unique (topic, partition, offset) index and changes nothing.
func (b *batch) storeQuarantine(ctx context.Context) error {
	if len(b.quarantine) == 0 {
		return nil
	}
	res, err := b.m.Store.DLQInvalid().Insert(ctx, b.quarantine)
	if err != nil {
		return err
	}
	b.stats.Quarantined += int64(len(b.quarantine) - res.Dups)
	for i := 0; i < len(b.quarantine)-res.Dups; i++ {
		b.m.mQuarantined(b.m.DLQTopic)
	}
	return nil
}

// decide resolves each message's policy into the state it is stored in.
func (b *batch) decide(ctx context.Context) error {
	resolver, err := b.m.newResolver(ctx)
	if err != nil {
		return err
	}
	b.states = make([]state, len(b.items))
	b.immediate = make([]bool, len(b.items))
	b.ids = make([]bson.ObjectID, len(b.items))
	for i, in := range b.items {
		b.ids[i] = bson.NewObjectID()
		msg := &in.msg
		pol := resolver.resolve(msg.OriginalTopic, msg.EventType()).Policy
		st := state{status: contract.DLQScheduled, retryCount: msg.RetryCount}
		switch {
		case !pol.CanRetry(msg.RetryCount):
			reason := ReasonMaxRetries
			st.status, st.discardedAt, st.discardReason = contract.DLQDiscarded, &b.now, &reason
		case pol.Strategy == StrategyImmediate:
			b.immediate[i] = true
			st.nextRetryAt = &b.now
		default:
			next := pol.NextRetry(b.now, msg.RetryCount, nil).Truncate(time.Millisecond)
			st.nextRetryAt = &next
		}
		b.states[i] = st
	}
	return nil
}

// store inserts the documents. Immediate retries are claimed first and
// stored already retried, so ingestion never updates a new document; the
// send follows, and a failed send is rolled back to scheduled. A duplicate
// that is a new failure of a stored message updates it (settle) and then
// goes the same way as a new message. New failures that could not be
// applied fail the batch after the rest of it is done (heldError).
func (b *batch) store(ctx context.Context) error {
	sends, err := b.claimImmediate(ctx)
	if err != nil {
		return err
	}
	docs := make([]any, len(b.items))
	for i, in := range b.items {
		docs[i] = in.storedDoc(b.ids[i], b.states[i], b.now)
	}
	res, err := b.m.Store.DLQ.InsertUnordered(ctx, docs)
	if err != nil {
		_ = sends.abandon(ctx)
		return err
	}
	refails := newRefailer(b, sends)
	defer refails.releaseAll(ctx)
	if err := b.settle(ctx, res, refails); err != nil {
		return err
	}
	if err := b.unreadableStored(ctx); err != nil {
		return err
	}
	if err := sends.run(ctx); err != nil {
		return err
	}
	b.count(sends)
	b.notify(ctx, sends)
	return b.heldError()
}

func (b *batch) count(s *ingestSends) {
	for i, st := range b.states {
		switch b.kinds[i] {
		case outDuplicate:
			b.stats.Duplicates++
			continue
		case outHeld:
			continue // counted when the record is read again
		case outUnreadable:
			continue // counted as quarantined
		}
		b.stats.Received++
		switch {
		case st.status == contract.DLQDiscarded:
			b.stats.Discarded++
		case s.sent(i):
			b.stats.Retried++
		default:
			b.stats.Scheduled++
		}
	}
	b.stats.RetryFailed += int64(len(s.failed))
}

// notify publishes, per new message or new failure and in order,
// dlq_message_received and then dlq_message_discarded or dlq_message_retried.
func (b *batch) notify(ctx context.Context, s *ingestSends) {
	n := notifier{m: b.m}
	for i, in := range b.items {
		if !b.kinds[i].applied() {
			continue
		}
		msg := &in.msg
		b.m.mReceived(msg.OriginalTopic)
		n.add(EventReceived, msg, b.now, receivedFields(msg))
		switch {
		case b.states[i].status == contract.DLQDiscarded:
			b.m.log().Info("discarded on receipt", "event_id", msg.EventID(), "reason", ReasonMaxRetries, "retry_count", msg.RetryCount)
			n.add(EventDiscarded, msg, b.now, discardedFields(msg, ReasonMaxRetries))
			b.m.mDiscarded(msg.OriginalTopic)
		case s.sent(i):
			b.m.log().Info("retried on receipt", "event_id", msg.EventID(), "topic", msg.OriginalTopic)
			n.add(EventRetried, msg, b.now, retriedFields(msg, msg.RetryCount+1, msg.OriginalTopic))
			b.m.mRetried(msg.OriginalTopic, b.now.Sub(msg.FailedAt))
		default:
			b.m.log().Debug("scheduled", "event_id", msg.EventID(), "next_retry_at", b.states[i].nextRetryAt)
		}
	}
	n.flush(ctx)
}
