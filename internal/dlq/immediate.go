package dlq

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// ingestSends are a batch's immediate retries: claimed before the insert,
// stored as retried, sent after the insert, rolled back if the send fails.
// Between the insert and the acknowledgement a journal entry in
// dlq_pending_sends records the send, so a crash there is redone by
// RetryDue instead of leaving a message marked retried that never went out.
type ingestSends struct {
	b      *batch
	set    claimSet
	won    []int // item indexes whose claim we hold
	ok     map[int]bool
	failed map[int]string
}

// pendingSend is a journal entry (_id = the claim's _id).
type pendingSend = store.DLQPendingSend

func (b *batch) claimImmediate(ctx context.Context) (*ingestSends, error) {
	s := &ingestSends{b: b, ok: map[int]bool{}, failed: map[int]string{}}
	var idx []int
	var ids []string
	var rounds []int64
	for i, imm := range b.immediate {
		if imm {
			idx = append(idx, i)
			ids = append(ids, b.items[i].msg.EventID())
			rounds = append(rounds, b.items[i].msg.RetryCount)
		}
	}
	if len(idx) == 0 {
		return s, nil
	}
	set, err := b.m.claimAll(ctx, ids, rounds, purposeIngest)
	if err != nil {
		return nil, err
	}
	s.set = set
	var journal []pendingSend
	for j, i := range idx {
		key := claimKey(ids[j], rounds[j])
		if !set.has(key) {
			continue // someone else is sending this round: store it scheduled
		}
		s.won = append(s.won, i)
		b.states[i] = state{status: contract.DLQRetried, retryCount: rounds[j] + 1, nextRetryAt: &b.now, retriedAt: &b.now}
		journal = append(journal, pendingSend{ID: set.held[key], EventID: ids[j], Round: rounds[j],
			Topic: b.items[i].msg.OriginalTopic, Owner: b.m.owner(), CreatedAt: b.now})
	}
	if err := b.m.Store.DLQPendingSends().Insert(ctx, journal); err != nil {
		_ = s.abandon(ctx)
		return nil, err
	}
	return s, nil
}

func (s *ingestSends) sent(i int) bool { return s.ok[i] }

func (s *ingestSends) keyOf(i int) string {
	msg := &s.b.items[i].msg
	return claimKey(msg.EventID(), msg.RetryCount)
}

// abandon releases everything claimed when the batch could not be stored.
func (s *ingestSends) abandon(ctx context.Context) error {
	ids := s.journalIDs()
	if err := s.b.m.releaseAll(ctx, s.set); err != nil {
		return err
	}
	return s.b.m.deletePending(ctx, ids)
}

func (s *ingestSends) journalIDs() []string {
	ids := make([]string, 0, len(s.won))
	for _, i := range s.won {
		if id, ok := s.set.held[s.keyOf(i)]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// run sends the claimed messages whose failure this batch stored (created,
// or a new failure of a stored message); a claimed message whose stored
// failure is not this record's is left alone.
func (s *ingestSends) run(ctx context.Context) error {
	if len(s.won) == 0 {
		return nil
	}
	journal := s.journalIDs()
	var existing, sendIdx []int
	var recs []*kgo.Record
	for _, i := range s.won {
		if !s.b.kinds[i].applied() {
			existing = append(existing, i)
			continue
		}
		msg := &s.b.items[i].msg
		rec, err := retryRecord(msg, msg.OriginalTopic, s.b.now, false)
		switch {
		case !s.set.valid(s.b.m.now(), s.b.m.sendMargin()):
			s.failed[i] = "claim expired before the send"
		case err != nil:
			s.failed[i] = err.Error()
		default:
			recs = append(recs, rec)
			sendIdx = append(sendIdx, i)
		}
	}
	s.releaseIdx(ctx, existing)
	for j, err := range s.b.m.produceAll(ctx, recs) {
		if err != nil {
			i := sendIdx[j]
			s.failed[i] = classifySend(s.b.items[i].msg.OriginalTopic, err).text
		} else {
			s.ok[sendIdx[j]] = true
		}
	}
	if err := s.rollback(ctx); err != nil {
		return err
	}
	return s.b.m.deletePending(ctx, journal)
}

func (s *ingestSends) releaseIdx(ctx context.Context, idx []int) {
	keys := make([]string, len(idx))
	for j, i := range idx {
		keys[j] = s.keyOf(i)
	}
	if err := s.b.m.release(ctx, s.set, keys); err != nil {
		s.b.m.log().Warn("cannot release claims", "error", err)
	}
}

// rollback returns failed sends to scheduled, due now, with the error.
func (s *ingestSends) rollback(ctx context.Context) error {
	type group struct {
		text  string
		round int64
	}
	groups := map[group][]string{}
	var idx []int
	for i, msg := range s.failed {
		id := s.b.items[i].msg.EventID()
		g := group{msg, s.b.items[i].msg.RetryCount}
		groups[g] = append(groups[g], id)
		idx = append(idx, i)
		s.b.m.log().Warn("immediate retry failed", "event_id", id, "error", msg)
	}
	for g, ids := range groups {
		where, update := rescheduleUpdate(g.round, g.text, s.b.now)
		if err := s.b.m.updateMany(ctx, ids, where, update, "reschedule failed immediate retries"); err != nil {
			return err
		}
	}
	s.releaseIdx(ctx, idx)
	return nil
}

// rescheduleUpdate undoes an immediate retry of round that was stored as
// retried (retry_count round+1) and then not sent, setting extra too. Like
// retriedUpdate it is idempotent: retry_count is set back where it is
// still round+1.
func rescheduleUpdate(round int64, lastError string, now time.Time, extra ...bson.E) (where, update bson.D) {
	set := bson.D{
		{Key: "status", Value: contract.DLQScheduled}, {Key: "retried_at", Value: nil},
		{Key: "last_error", Value: lastError}, {Key: "last_updated", Value: now},
		{Key: "retry_count", Value: pyInt(round)},
	}
	return bson.D{{Key: "retry_count", Value: round + 1}}, bson.D{{Key: "$set", Value: append(set, extra...)}}
}

func (m *Manager) deletePending(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return m.Store.DLQPendingSends().Delete(ctx, ids)
}
