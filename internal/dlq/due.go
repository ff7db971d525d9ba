package dlq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
)

// defaultDueBatch bounds how many due messages one query loads.
const defaultDueBatch = 5000

// maxDueRounds bounds one pass (a million messages by default) should
// messages stay due after they were handled; the next pass goes on.
const maxDueRounds = 200

func (m *Manager) dueBatchSize() int {
	if m.dueBatch > 0 {
		return m.dueBatch
	}
	return defaultDueBatch
}

// RetryDue retries every scheduled message whose next_retry_at has come,
// each claimed before it is sent, and returns how many were retried.
func (m *Manager) RetryDue(ctx context.Context) (int64, error) {
	ok, _, err := m.retryDue(ctx, m.nowMs())
	return ok, err
}

// retryDue retries the scheduled messages due at cutoff.
func (m *Manager) retryDue(ctx context.Context, cutoff time.Time) (retried, failed int64, err error) {
	if err := m.requireKafka("retrying due messages"); err != nil {
		return 0, 0, err
	}
	if retried, failed, err = m.redoPendingSends(ctx); err != nil {
		return retried, failed, err
	}
	for range maxDueRounds {
		msgs, err := m.dueMessages(ctx, cutoff)
		if err != nil {
			return retried, failed, err
		}
		res := &BatchResult{}
		err = m.chunks(ctx, msgs, maxChunk, res, nil, func(ctx context.Context, msgs []contract.DLQMessage) ([]ItemResult, []Refusal, error) {
			return m.retryChunk(ctx, msgs, "", nil, purposeDue)
		})
		retried, failed = retried+res.Succeeded, failed+res.Failed
		// Sent and failed messages are no longer due (a failure is backed
		// off past cutoff), so the next query sees the ones after them;
		// only messages held by others are left, and they stop the loop.
		if err != nil || len(msgs) < m.dueBatchSize() || res.Succeeded+res.Failed == 0 {
			return retried, failed, err
		}
	}
	return retried, failed, nil
}

func (m *Manager) dueMessages(ctx context.Context, cutoff time.Time) ([]contract.DLQMessage, error) {
	q := bson.D{
		{Key: "status", Value: contract.DLQScheduled},
		{Key: "next_retry_at", Value: bson.D{{Key: "$lte", Value: cutoff}}},
	}
	opts := options.Find().SetSort(bson.D{{Key: "next_retry_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetLimit(int64(m.dueBatchSize())).SetBatchSize(1000)
	msgs, err := m.find(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("find due DLQ messages: %w", err)
	}
	return msgs, nil
}

// redoPendingSends finishes immediate retries whose process stopped between
// storing the message as retried and the send (see ingestSends): once the
// claim lease has passed, the send is made again if the message still shows
// that retry, and the journal entry is cleared. It returns how many were
// sent and how many failed for good (rolled back, see resend).
func (m *Manager) redoPendingSends(ctx context.Context) (sent, failed int64, err error) {
	// An entry that cannot be read is reported and left: redoing a send
	// without knowing its round could send a message twice.
	entries, skipped, err := m.Store.DLQPendingSends().CreatedBefore(ctx, m.nowMs().Add(-m.claimTTL()))
	m.logSkipped(skipped)
	if err != nil || len(entries) == 0 {
		return 0, 0, err
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.EventID
	}
	msgs, err := m.byIDs(ctx, ids)
	if err != nil {
		return 0, 0, err
	}
	return m.resend(ctx, entries, msgs)
}

// journalSend is a journalled send being redone: its entry, the message as
// it was before the retry (RetryCount = the entry's round) and, once tried,
// why it failed.
type journalSend struct {
	entry pendingSend
	msg   contract.DLQMessage
	fail  *sendFailure
}

// resend redoes, in one batch, the journalled sends whose message still
// shows the journalled retry; entries whose message moved on are cleared.
// A send that failed permanently is rolled back as a failed due retry is
// (see rollBackJournalled) and its entry deleted: sending it again every
// round cannot succeed and would cost a delivery timeout each time. A
// transient failure keeps the entry for the next round.
func (m *Manager) resend(ctx context.Context, entries []pendingSend, msgs map[string]contract.DLQMessage) (sent, failed int64, err error) {
	var done []string
	var redo []journalSend
	for _, e := range entries {
		msg, ok := msgs[e.EventID]
		if !ok || msg.Status != contract.DLQRetried || msg.RetryCount != e.Round+1 {
			done = append(done, e.ID)
			continue
		}
		msg.RetryCount = e.Round // the headers carry the count after this retry
		redo = append(redo, journalSend{entry: e, msg: msg})
	}
	now := m.nowMs()
	m.sendJournalled(ctx, redo, now)
	var permanent []journalSend
	for _, j := range redo {
		switch {
		case j.fail == nil:
			m.log().Info("redid journalled immediate retry", "event_id", j.entry.EventID, "topic", j.entry.Topic)
			done = append(done, j.entry.ID)
			sent++
		case j.fail.permanent:
			permanent = append(permanent, j)
		default:
			m.sendLog.report(m.log(), j.entry.EventID, *j.fail, sendFailures(&j.msg), nil, m.now())
		}
	}
	rbErr := m.rollBackJournalled(ctx, permanent, now)
	if rbErr == nil {
		for _, j := range permanent {
			done = append(done, j.entry.ID)
		}
		failed = int64(len(permanent))
	}
	return sent, failed, errors.Join(rbErr, m.deletePending(ctx, done))
}

// sendJournalled sends redo's records together and sets each one's fail.
// A record that cannot even be built never will be: a permanent failure.
func (m *Manager) sendJournalled(ctx context.Context, redo []journalSend, now time.Time) {
	recs := make([]*kgo.Record, 0, len(redo))
	idx := make([]int, 0, len(redo))
	for i := range redo {
		j := &redo[i]
		rec, err := retryRecord(&j.msg, j.entry.Topic, now, false)
		if err != nil {
			f := notSent(j.entry.Topic, err.Error())
			f.permanent = true
			j.fail = &f
			continue
		}
		recs = append(recs, rec)
		idx = append(idx, i)
	}
	for k, err := range m.produceAll(ctx, recs) {
		if err != nil {
			f := classifySend(redo[idx[k]].entry.Topic, err)
			redo[idx[k]].fail = &f
		}
	}
}

// rollBackJournalled returns journalled retries that failed permanently to
// scheduled, recorded as recordFailures records a failed due retry:
// last_error, one more send failure, and next_retry_at moved past the
// failure back-off, so the message waits for an operator's fix (or its
// discard) instead of coming back every round.
func (m *Manager) rollBackJournalled(ctx context.Context, fails []journalSend, now time.Time) error {
	if len(fails) == 0 {
		return nil
	}
	res, err := m.newResolver(ctx)
	if err != nil {
		return err
	}
	groups := map[failureKey][]int{}
	for i := range fails {
		msg := &fails[i].msg
		k := failureKey{text: fails[i].fail.text, round: msg.RetryCount, failures: sendFailures(msg) + 1,
			policy: res.resolve(msg.OriginalTopic, msg.EventType()).Policy}
		groups[k] = append(groups[k], i)
	}
	for k, idx := range groups {
		next := nextAfterFailure(k.policy, k.round, k.failures, now)
		where, update := rescheduleUpdate(k.round, k.text, now,
			bson.E{Key: "next_retry_at", Value: next}, bson.E{Key: SendFailuresField, Value: pyInt(k.failures)})
		ids := make([]string, len(idx))
		for j, i := range idx {
			ids[j] = fails[i].entry.EventID
		}
		if err := m.updateMany(ctx, ids, where, update, "roll back unsendable journalled retries"); err != nil {
			return err
		}
		for _, i := range idx {
			m.sendLog.report(m.log(), fails[i].entry.EventID, *fails[i].fail, k.failures, &next, m.now())
		}
	}
	return nil
}
