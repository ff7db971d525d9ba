package dlq

import (
	"context"
	"errors"
	"fmt"
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
}

// persistRecords turns one fetch into documents, quarantine entries and
// notifications, with a handful of round trips whatever its size.
func (m *Manager) persistRecords(ctx context.Context, recs []*kgo.Record) (ProcessStats, error) {
	b := &batch{m: m, now: m.nowMs()}
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

// parseAll parses, filters and de-duplicates the records.
func (b *batch) parseAll(recs []*kgo.Record) {
	seen := make(map[string]bool, len(recs))
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
		case seen[id]:
			b.stats.Duplicates++
		default:
			seen[id] = true
			b.items = append(b.items, in)
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
	res, err := insertUnordered(ctx, b.m.coll(InvalidCollection), b.quarantine)
	if err != nil {
		return fmt.Errorf("quarantine DLQ records: %w", err)
	}
	b.stats.Quarantined += int64(len(b.quarantine) - res.dups)
	for i := 0; i < len(b.quarantine)-res.dups; i++ {
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
// stored already retried, so ingestion never updates a document; the send
// follows, and a failed send is rolled back to scheduled.
func (b *batch) store(ctx context.Context) error {
	sends, err := b.claimImmediate(ctx)
	if err != nil {
		return err
	}
	docs := make([]any, len(b.items))
	for i, in := range b.items {
		docs[i] = in.storedDoc(b.ids[i], b.states[i], b.now)
	}
	res, err := insertUnordered(ctx, b.m.messages(), docs)
	if err != nil {
		_ = sends.abandon(ctx)
		return fmt.Errorf("store DLQ messages: %w", err)
	}
	isNew, err := b.ownInserts(ctx, res)
	if err != nil {
		return err
	}
	if err := sends.run(ctx, isNew); err != nil {
		return err
	}
	b.count(isNew, sends)
	b.notify(ctx, isNew, sends)
	return nil
}

// ownInserts reports which documents this batch created. A duplicate is an
// earlier delivery of the message, unless a busy server made us insert twice
// and the duplicate is our own first attempt (same _id).
func (b *batch) ownInserts(ctx context.Context, res insertResult) ([]bool, error) {
	isNew := make([]bool, len(res.dup))
	var dupIDs []bson.ObjectID
	for i, d := range res.dup {
		isNew[i] = !d
		if d {
			dupIDs = append(dupIDs, b.ids[i])
		}
	}
	if !res.retried || len(dupIDs) == 0 {
		return isNew, nil
	}
	cur, err := b.m.messages().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: dupIDs}}}})
	if err != nil {
		return nil, fmt.Errorf("check stored DLQ messages: %w", store.Wrap(err))
	}
	var ours []struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := cur.All(ctx, &ours); err != nil {
		return nil, fmt.Errorf("check stored DLQ messages: %w", store.Wrap(err))
	}
	mine := make(map[bson.ObjectID]bool, len(ours))
	for _, o := range ours {
		mine[o.ID] = true
	}
	for i := range isNew {
		isNew[i] = isNew[i] || mine[b.ids[i]]
	}
	return isNew, nil
}

func (b *batch) count(isNew []bool, s *ingestSends) {
	for i, st := range b.states {
		if !isNew[i] {
			b.stats.Duplicates++
			continue
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

// notify publishes, per new message and in order, dlq_message_received and
// then dlq_message_discarded or dlq_message_retried.
func (b *batch) notify(ctx context.Context, isNew []bool, s *ingestSends) {
	n := notifier{m: b.m}
	for i, in := range b.items {
		if !isNew[i] {
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
