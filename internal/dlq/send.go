package dlq

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
)

// workContext detaches a chunk from the caller's cancellation (a chunk's
// claims, sends and status updates belong together) but bounds it by twice
// the claim lease, beyond which another process may take over anyway.
func (m *Manager) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*m.claimTTL())
}

// held is a claimed message re-read after the claim, ready to act on.
type held struct {
	msgs []contract.DLQMessage
	set  claimSet
}

// claimFresh claims one round of each message and re-reads the winners, so a
// message that another process retried or discarded since it was read is
// refused instead of acted on twice.
func (m *Manager) claimFresh(ctx context.Context, msgs []contract.DLQMessage, purpose string) (held, []Refusal, error) {
	ids := make([]string, len(msgs))
	rounds := make([]int64, len(msgs))
	for i := range msgs {
		ids[i], rounds[i] = msgs[i].EventID(), msgs[i].RetryCount
	}
	set, err := m.claimAll(ctx, ids, rounds, purpose)
	if err != nil {
		return held{}, nil, err
	}
	var refusals []Refusal
	var winners []string
	for i := range msgs {
		if set.has(claimKey(ids[i], rounds[i])) {
			winners = append(winners, ids[i])
		} else {
			refusals = append(refusals, Refusal{EventID: ids[i], Status: msgs[i].Status, Reason: "held by another process"})
		}
	}
	fresh, err := m.byIDs(ctx, winners)
	if err != nil {
		_ = m.releaseAll(ctx, set)
		return held{}, nil, err
	}
	h := held{set: set}
	var stale []string
	for i := range msgs {
		key := claimKey(ids[i], rounds[i])
		if !set.has(key) {
			continue
		}
		f, ok := fresh[ids[i]]
		if reason := staleReason(f, ok, rounds[i]); reason != "" {
			refusals = append(refusals, Refusal{EventID: ids[i], Status: f.Status, Reason: reason})
			stale = append(stale, key)
			continue
		}
		h.msgs = append(h.msgs, f)
	}
	if err := m.release(ctx, set, stale); err != nil {
		m.log().Warn("cannot release claims", "error", err)
	}
	return h, refusals, nil
}

func staleReason(f contract.DLQMessage, found bool, round int64) string {
	switch {
	case !found:
		return "no longer in the DLQ"
	case f.Status.Terminal():
		return fmt.Sprintf("already %s", f.Status)
	case f.RetryCount != round:
		return "changed since it was read"
	}
	return ""
}

func (m *Manager) releaseAll(ctx context.Context, set claimSet) error {
	keys := make([]string, 0, len(set.held))
	for k := range set.held {
		keys = append(keys, k)
	}
	return m.release(ctx, set, keys)
}

// editedAmong says which of a chunk's messages an operator edited, in one
// query for the chunk.
func (m *Manager) editedAmong(ctx context.Context, msgs []contract.DLQMessage) (map[string]bool, error) {
	ids := make([]string, len(msgs))
	for i := range msgs {
		ids[i] = msgs[i].EventID()
	}
	return m.Store.DLQEdits().Edited(ctx, ids)
}

// byIDs loads messages by exact event id in one query.
func (m *Manager) byIDs(ctx context.Context, ids []string) (map[string]contract.DLQMessage, error) {
	out := make(map[string]contract.DLQMessage, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	msgs, err := m.find(ctx, bson.D{{Key: "event.event_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find())
	if err != nil {
		return nil, fmt.Errorf("re-read DLQ messages: %w", err)
	}
	for _, msg := range msgs {
		out[msg.EventID()] = msg
	}
	return out, nil
}

// retryChunk claims, re-reads, publishes and marks retried one chunk, with
// one batched status update for the successes and one per kind of failure.
// Automatic retries (purposeDue) back failures off (see recordFailures).
func (m *Manager) retryChunk(ctx context.Context, msgs []contract.DLQMessage, to string, pc *pacer, purpose string) ([]ItemResult, []Refusal, error) {
	work, cancel := m.workContext(ctx)
	defer cancel()
	h, refusals, err := m.claimFresh(work, msgs, purpose)
	if err != nil || len(h.msgs) == 0 {
		return nil, refusals, err
	}
	edited, err := m.editedAmong(work, h.msgs)
	if err != nil {
		_ = m.releaseAll(work, h.set)
		return nil, refusals, err
	}
	now := m.nowMs()
	items := make([]ItemResult, len(h.msgs))
	fails := make([]sendFailure, len(h.msgs))
	recs := make([]*kgo.Record, 0, len(h.msgs))
	sendIdx := make([]int, 0, len(h.msgs))
	for i := range h.msgs {
		msg := &h.msgs[i]
		items[i] = ItemResult{EventID: msg.EventID(), Topic: topicFor(msg, to), RetryCount: msg.RetryCount,
			TakenOver: h.set.inherited[claimKey(msg.EventID(), msg.RetryCount)]}
		rec, err := retryRecord(msg, items[i].Topic, now, edited[msg.EventID()])
		switch {
		case !h.set.valid(m.now(), m.sendMargin()):
			fails[i] = notSent(items[i].Topic, "claim expired before the send")
		case err != nil:
			fails[i] = notSent(items[i].Topic, err.Error())
		default:
			recs = append(recs, rec)
			sendIdx = append(sendIdx, i)
		}
	}
	for j, err := range m.producePaced(ctx, work, recs, pc) {
		i := sendIdx[j]
		if err != nil {
			fails[i] = classifySend(items[i].Topic, err)
			continue
		}
		items[i].OK, items[i].RetryCount = true, h.msgs[i].RetryCount+1
	}
	for i := range items {
		if !items[i].OK {
			items[i].Error = fails[i].text
		}
	}
	return items, refusals, m.finishRetries(work, h, items, fails, now, purpose == purposeDue)
}

// finishRetries persists a chunk's outcome: successes marked retried, one
// update per round; failures recorded (and backed off when backOff), their
// claims released so they can be retried; then the notifications. Every
// message marked retried is announced even when recording the failures
// fails: the contract requires dlq_message_retried for each, and nothing
// would announce it later.
func (m *Manager) finishRetries(ctx context.Context, h held, items []ItemResult, fails []sendFailure, now time.Time, backOff bool) error {
	ok := byRound{}
	var failedKeys []string
	for i, it := range items {
		if it.OK {
			ok.add(h.msgs[i].RetryCount, it.EventID)
			continue
		}
		failedKeys = append(failedKeys, claimKey(it.EventID, h.msgs[i].RetryCount))
	}
	if err := m.markRetried(ctx, ok, now); err != nil {
		return err
	}
	failErr := m.recordFailures(ctx, h, items, fails, now, backOff)
	if err := m.release(ctx, h.set, failedKeys); err != nil {
		m.log().Warn("cannot release claims of failed retries", "error", err)
	}
	n := notifier{m: m}
	for i, it := range items {
		if !it.OK {
			continue
		}
		msg := &h.msgs[i]
		m.log().Info("retried", "event_id", it.EventID, "topic", it.Topic, "retry_count", it.RetryCount)
		n.add(EventRetried, msg, now, retriedFields(msg, it.RetryCount, it.Topic))
		m.mRetried(msg.OriginalTopic, now.Sub(msg.FailedAt))
	}
	n.flush(ctx)
	return failErr
}

// byRound groups event ids by the retry round (stored retry_count) they
// were claimed at, so a counter can be $set from the value its filter
// guards.
type byRound map[int64][]string

func (b byRound) add(round int64, id string) { b[round] = append(b[round], id) }

// markRetried is the contract's retry bookkeeping, one update per round.
func (m *Manager) markRetried(ctx context.Context, ids byRound, now time.Time) error {
	for round, part := range ids {
		where, update := retriedUpdate(round, now)
		if err := m.updateMany(ctx, part, where, update, "mark retried"); err != nil {
			return err
		}
	}
	return nil
}

// retriedUpdate marks round retried. It is idempotent, because WithRetry
// re-sends an update whose reply was lost and an $inc would then count
// twice: retry_count is set to round+1 where it is still round, so a
// re-sent update matches nothing.
func retriedUpdate(round int64, now time.Time) (where, update bson.D) {
	return bson.D{{Key: "retry_count", Value: round}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: contract.DLQRetried}, {Key: "retried_at", Value: now}, {Key: "last_updated", Value: now},
			{Key: "retry_count", Value: pyInt(round + 1)},
		}}}
}

// updateMany applies one update to the messages with these event ids that
// match where, in chunks that keep each statement short on the embedded
// server.
func (m *Manager) updateMany(ctx context.Context, ids []string, where, update bson.D, what string) error {
	if err := m.Store.DLQ.UpdateByEventIDs(ctx, ids, where, update); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// discardChunk claims, re-reads and marks discarded one chunk.
func (m *Manager) discardChunk(ctx context.Context, msgs []contract.DLQMessage, reason string) ([]ItemResult, []Refusal, error) {
	return m.discardChunkAs(ctx, msgs, reason, purposeDiscard)
}

// discardChunkAs is discardChunk with the claims' purpose given (jobs).
func (m *Manager) discardChunkAs(ctx context.Context, msgs []contract.DLQMessage, reason, purpose string) ([]ItemResult, []Refusal, error) {
	work, cancel := m.workContext(ctx)
	defer cancel()
	h, refusals, err := m.claimFresh(work, msgs, purpose)
	if err != nil || len(h.msgs) == 0 {
		return nil, refusals, err
	}
	now := m.nowMs()
	ids := make([]string, len(h.msgs))
	items := make([]ItemResult, len(h.msgs))
	for i := range h.msgs {
		ids[i] = h.msgs[i].EventID()
		items[i] = ItemResult{EventID: ids[i], Topic: h.msgs[i].OriginalTopic, OK: true, RetryCount: h.msgs[i].RetryCount,
			TakenOver: h.set.inherited[claimKey(ids[i], h.msgs[i].RetryCount)]}
	}
	if err := m.markDiscarded(work, ids, reason, now); err != nil {
		return nil, refusals, err
	}
	n := notifier{m: m}
	for i := range h.msgs {
		msg := &h.msgs[i]
		m.log().Info("discarded", "event_id", ids[i], "reason", reason)
		n.add(EventDiscarded, msg, now, discardedFields(msg, reason))
		m.mDiscarded(msg.OriginalTopic)
	}
	n.flush(work)
	return items, refusals, nil
}

func (m *Manager) markDiscarded(ctx context.Context, ids []string, reason string, now time.Time) error {
	return m.updateMany(ctx, ids, nil, bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "status", Value: contract.DLQDiscarded}, {Key: "discarded_at", Value: now},
			{Key: "discard_reason", Value: reason}, {Key: "last_updated", Value: now},
		}},
	}, "mark discarded")
}
