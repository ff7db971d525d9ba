package seed

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// DLQ message statuses as the platform stores them.
const (
	StatusPending   = "pending"
	StatusScheduled = "scheduled"
	StatusRetried   = "retried"
	StatusDiscarded = "discarded"
)

// DiscardMaxRetries is the platform's discard reason once retries run out.
const DiscardMaxRetries = "max_retries_exceeded"

const dlqPartitions = 3

// statusCycle fixes the status mix (25% pending, 35% scheduled, 25% retried,
// 15% discarded) and guarantees every status once there are 20 messages.
var statusCycle = func() []string {
	var c []string
	for status, n := range map[string]int{StatusPending: 5, StatusScheduled: 7, StatusRetried: 5, StatusDiscarded: 3} {
		for range n {
			c = append(c, status)
		}
	}
	slices.Sort(c) // map order is random; the plan must not be
	return c
}()

// dlqMessages turns sampled events into dead letter queue documents in the
// platform's dlq_messages shape, with offsets ascending in failure order,
// and counts them by status.
func (g *generator) dlqMessages(sample []event) ([]any, map[string]int) {
	slices.SortFunc(sample, func(a, b event) int {
		return cmp.Or(a.ts.Compare(b.ts), strings.Compare(a.id, b.id))
	})
	plan := make([]string, len(sample))
	for i := range plan {
		plan[i] = statusCycle[i%len(statusCycle)]
	}
	g.r.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	var offsets [dlqPartitions]int
	docs := make([]any, 0, len(sample))
	byStatus := map[string]int{}
	for i, ev := range sample {
		part := g.r.IntN(dlqPartitions)
		docs = append(docs, g.dlqMessage(ev, plan[i], part, offsets[part]))
		offsets[part]++
		byStatus[plan[i]]++
	}
	return docs, byStatus
}

// dlqState is the status-dependent part of a DLQ message; nil means null.
type dlqState struct {
	retryCount                                     int
	lastUpdated, nextRetryAt, retriedAt, discarded any
	discardReason, lastError                       any
}

func (g *generator) dlqMessage(ev event, status string, part, offset int) bson.D {
	topic := g.topicPrefix + ev.typ
	failedAt := g.notAfterNow(ev.ts.Add(g.between(50*time.Millisecond, 30*time.Second)))
	createdAt := g.notAfterNow(failedAt.Add(g.between(5*time.Millisecond, 500*time.Millisecond)))
	errText := g.errorText(ev)
	producer := fmt.Sprintf("%s-%s-%s", ev.service, hexString(g.r, 9), hexString(g.r, 5))
	st := g.dlqState(ev, status, createdAt)
	return bson.D{
		e("event", withoutBookkeeping(ev.doc)),
		e("original_topic", topic),
		e("error", errText),
		e("retry_count", st.retryCount),
		e("failed_at", failedAt),
		e("status", status),
		e("producer_id", producer),
		e("created_at", createdAt),
		e("last_updated", st.lastUpdated),
		e("next_retry_at", st.nextRetryAt),
		e("retried_at", st.retriedAt),
		e("discarded_at", st.discarded),
		e("discard_reason", st.discardReason),
		e("dlq_offset", offset),
		e("dlq_partition", part),
		e("last_error", st.lastError),
		e("headers", bson.D{
			e("event_type", ev.typ),
			e("original_topic", topic),
			e("error_type", errText[:strings.Index(errText, ":")]),
			e("producer_id", producer),
			e("failed_at", failedAt.Format("2006-01-02T15:04:05.000Z07:00")),
		}),
	}
}

// dlqState makes the status fields agree with each other and with the
// retry policy preset of the event's category.
func (g *generator) dlqState(ev event, status string, created time.Time) dlqState {
	maxR := MaxRetries(ev.typ)
	switch status {
	case StatusScheduled:
		return g.scheduled(ev, maxR, created)
	case StatusRetried:
		return g.retried(ev, maxR, created)
	case StatusDiscarded:
		return g.discarded(ev, maxR, created)
	default:
		return dlqState{lastUpdated: created}
	}
}

func (g *generator) scheduled(ev event, maxR int, created time.Time) dlqState {
	st := dlqState{retryCount: g.r.IntN(maxR)}
	if g.chance(60) { // due: a retry worker would pick it up now
		st.nextRetryAt = created.Add(g.between(0, g.now.Sub(created))).Truncate(time.Millisecond)
	} else {
		st.nextRetryAt = g.now.Add(g.between(30*time.Second, 30*time.Minute)).Truncate(time.Millisecond)
	}
	st.lastUpdated = created.Add(g.between(time.Millisecond, 20*time.Millisecond))
	if st.retryCount > 0 {
		st.lastError = g.errorText(ev)
	}
	return st
}

func (g *generator) retried(ev event, maxR int, created time.Time) dlqState {
	retried := created.Add(g.between(time.Second, min(g.now.Sub(created), 2*time.Hour))).Truncate(time.Millisecond)
	retried = g.notAfterNow(retried)
	return dlqState{
		retryCount:  1 + g.r.IntN(maxR),
		retriedAt:   retried,
		nextRetryAt: laterOf(created, retried.Add(-g.between(0, 500*time.Millisecond))).Truncate(time.Millisecond),
		lastUpdated: retried,
	}
}

func (g *generator) discarded(ev event, maxR int, created time.Time) dlqState {
	at := g.notAfterNow(created.Add(g.between(0, min(g.now.Sub(created), 6*time.Hour))).Truncate(time.Millisecond))
	st := dlqState{discarded: at, lastUpdated: at, retryCount: maxR, discardReason: DiscardMaxRetries}
	if g.chance(30) {
		st.retryCount = g.r.IntN(maxR)
		st.discardReason = pick(g, manualDiscardReasons)
	}
	if st.retryCount > 0 {
		st.lastError = g.errorText(ev)
	}
	return st
}

// MaxRetries is the platform's max_retries for an event type's retry policy
// preset: aggressive (5) for execution and command types, cautious (3) for
// pod types, immediate (3) for result types, default (4) otherwise.
func MaxRetries(eventType string) int {
	switch {
	case strings.HasPrefix(eventType, "execution_"), strings.HasSuffix(eventType, "_command"):
		return 5
	case strings.HasPrefix(eventType, "pod_"), strings.HasPrefix(eventType, "result_"):
		return 3
	default:
		return 4
	}
}

// errorText is a realistic failure message for ev, ids and numbers embedded.
func (g *generator) errorText(ev event) string {
	var choices []dlqError
	for _, d := range dlqErrors {
		if !d.needsExec || ev.execID != "" {
			choices = append(choices, d)
		}
	}
	d := pick(g, choices)
	return fmt.Sprintf(d.format, g.topicPrefix+ev.typ, ev.execID, g.r.IntN(dlqPartitions),
		3+g.r.IntN(5), ev.service, ev.id, g.r.IntN(100_000))
}

// withoutBookkeeping is the event as it travels: the stored document minus
// _id, stored_at and ttl_expires_at.
func withoutBookkeeping(doc bson.D) bson.D {
	out := make(bson.D, 0, len(doc))
	for _, el := range doc {
		switch el.Key {
		case "_id", "stored_at", "ttl_expires_at":
		default:
			out = append(out, el)
		}
	}
	return out
}

func (g *generator) notAfterNow(t time.Time) time.Time {
	if t.After(g.now) {
		return g.now
	}
	return t.Truncate(time.Millisecond)
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
