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
	if retried, err = m.redoPendingSends(ctx); err != nil {
		return 0, 0, err
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
// that retry, and the journal entry is cleared.
func (m *Manager) redoPendingSends(ctx context.Context) (int64, error) {
	// An entry that cannot be read is reported and left: redoing a send
	// without knowing its round could send a message twice.
	entries, skipped, err := m.Store.DLQPendingSends().CreatedBefore(ctx, m.nowMs().Add(-m.claimTTL()))
	m.logSkipped(skipped)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.EventID
	}
	msgs, err := m.byIDs(ctx, ids)
	if err != nil {
		return 0, err
	}
	return m.resend(ctx, entries, msgs)
}

func (m *Manager) resend(ctx context.Context, entries []pendingSend, msgs map[string]contract.DLQMessage) (int64, error) {
	var done []string
	var sent int64
	now := m.nowMs()
	for _, e := range entries {
		msg, ok := msgs[e.EventID]
		if !ok || msg.Status != contract.DLQRetried || msg.RetryCount != e.Round+1 {
			done = append(done, e.ID)
			continue
		}
		msg.RetryCount = e.Round // the headers carry the count after this retry
		rec, err := retryRecord(&msg, e.Topic, now, false)
		if err == nil {
			err = m.produceAll(ctx, []*kgo.Record{rec})[0]
		}
		if err != nil {
			m.log().Warn("journalled immediate retry failed again", "event_id", e.EventID, "error", err)
			continue
		}
		m.log().Info("redid journalled immediate retry", "event_id", e.EventID, "topic", e.Topic)
		done = append(done, e.ID)
		sent++
	}
	return sent, m.deletePending(ctx, done)
}
