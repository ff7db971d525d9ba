package dlq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// SendFailuresField counts a message's failed sends (see the package doc,
// "Failed sends"). It is replayctl's: the platform's retry_count counts
// successful retries and its notifications carry it.
const SendFailuresField = "replayctl.send_failures"

// permanentSendErrors are broker answers that repeating the send cannot
// change; only an operator can (create the topic, grant the ACL, raise the
// size limit, fix the name).
var permanentSendErrors = []error{
	kerr.UnknownTopicOrPartition,
	kerr.TopicAuthorizationFailed,
	kerr.MessageTooLarge,
	kerr.RecordListTooLarge,
	kerr.InvalidTopicException,
}

// sendFailure is why one message was not sent.
type sendFailure struct {
	topic     string
	code      string // the broker's error code name; "" when not a Kafka error
	permanent bool
	text      string // the item's error and the stored last_error
}

func classifySend(topic string, err error) sendFailure {
	f := sendFailure{topic: topic, text: fmt.Sprintf("send to topic %s: %v", topic, err)}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		f.code = ke.Message
	}
	for _, p := range permanentSendErrors {
		if errors.Is(err, p) {
			f.permanent = true
			f.text = fmt.Sprintf("send to topic %s failed permanently: %v", topic, err)
		}
	}
	return f
}

// notSent is a failure before anything reached Kafka.
func notSent(topic, why string) sendFailure { return sendFailure{topic: topic, text: why} }

// Back-off after a failed automatic send: the n-th failure in a row waits
// failureBackoffBase*2^(n-1), at most failureBackoffMax, or the policy's own
// delay when that is longer. The floor keeps an immediate policy (or a zero
// base delay) from making an unsendable message due on every poll.
const (
	failureBackoffBase = 30 * time.Second
	failureBackoffMax  = 30 * time.Minute
)

func failureBackoff(n int64) time.Duration {
	d := failureBackoffBase
	for i := int64(1); i < n && d < failureBackoffMax; i++ {
		d *= 2
	}
	return min(d, failureBackoffMax)
}

// nextAfterFailure is when a message whose send failed for the failures-th
// time in a row is due again: its policy's next retry time for its round,
// but no sooner than the failure back-off.
func nextAfterFailure(p Policy, round, failures int64, now time.Time) time.Time {
	next := p.NextRetry(now, round, nil)
	if floor := now.Add(failureBackoff(failures)); next.Before(floor) {
		next = floor
	}
	return next.Truncate(time.Millisecond)
}

// sendFailures reads the stored failure count; anything but a count (a
// document replayctl did not write) counts as none.
func sendFailures(msg *contract.DLQMessage) int64 {
	n, _, _ := SendFailures(msg)
	return n
}

// SendFailures reads a message's failed-send count (SendFailuresField);
// ok is false when none is stored. A value replayctl would not have written
// (not a whole non-negative number, or replayctl not a document) is an
// error naming its type, for show's problems; n is then 0.
func SendFailures(msg *contract.DLQMessage) (n int64, ok bool, err error) {
	ext, present := msg.Extra["replayctl"]
	if !present {
		return 0, false, nil
	}
	var v any
	var found bool
	switch ext := ext.(type) {
	case bson.D:
		for _, e := range ext {
			if e.Key == "send_failures" {
				v, found = e.Value, true
			}
		}
	case bson.M:
		v, found = ext["send_failures"]
	case map[string]any:
		v, found = ext["send_failures"]
	default:
		return 0, false, fmt.Errorf("replayctl is %s, not a document", bsonTypeOf(ext))
	}
	if !found {
		return 0, false, nil
	}
	switch x := v.(type) {
	case int32:
		n = int64(x)
	case int64:
		n = x
	case float64:
		if x != float64(int64(x)) {
			return 0, false, fmt.Errorf("is %v, not a whole number", x)
		}
		n = int64(x)
	default:
		return 0, false, fmt.Errorf("is %s, not an integer", bsonTypeOf(v))
	}
	if n < 0 {
		return 0, false, fmt.Errorf("is %d, not a count", n)
	}
	return n, true, nil
}

// bsonTypeOf names v's BSON type as the server would ("a string").
func bsonTypeOf(v any) string {
	if v == nil {
		return "null"
	}
	t, _, err := bson.MarshalValue(v)
	if err != nil {
		return fmt.Sprintf("a %T", v)
	}
	return "a " + t.String()
}

// failureKey groups the failed messages of a chunk that get the same update.
type failureKey struct {
	text     string
	round    int64
	failures int64 // after this failure
	policy   Policy
}

// recordFailures stores each failed item's last_error and failure count
// and, when backOff (automatic retries), moves next_retry_at forward, so an
// unsendable message neither comes back on every poll nor keeps other due
// messages waiting. Each update $sets values computed from the round its
// filter guards, so a re-sent update changes nothing more.
func (m *Manager) recordFailures(ctx context.Context, h held, items []ItemResult, fails []sendFailure, now time.Time, backOff bool) error {
	if !anyFailed(items) {
		return nil
	}
	var res policyResolver
	if backOff {
		var err error
		if res, err = m.newResolver(ctx); err != nil {
			return err
		}
	}
	groups := map[failureKey][]int{}
	for i, it := range items {
		if it.OK {
			continue
		}
		m.mSendFailed(fails[i].permanent)
		msg := &h.msgs[i]
		k := failureKey{text: fails[i].text, round: msg.RetryCount, failures: sendFailures(msg) + 1}
		if backOff {
			k.policy = res.resolve(msg.OriginalTopic, msg.EventType()).Policy
		}
		groups[k] = append(groups[k], i)
	}
	for k, idx := range groups {
		var next *time.Time
		if backOff {
			t := nextAfterFailure(k.policy, k.round, k.failures, now)
			next = &t
		}
		ids := make([]string, len(idx))
		for j, i := range idx {
			ids[j] = items[i].EventID
		}
		where, update := failureUpdate(k, now, next)
		if err := m.updateMany(ctx, ids, where, update, "record failed sends"); err != nil {
			return err
		}
		for _, i := range idx {
			m.sendLog.report(m.log(), items[i].EventID, fails[i], k.failures, next, m.now())
		}
	}
	return nil
}

func anyFailed(items []ItemResult) bool {
	for _, it := range items {
		if !it.OK {
			return true
		}
	}
	return false
}

// failureUpdate records one more failed send of round k.round; next, when
// set, is the new next_retry_at (status stays scheduled).
func failureUpdate(k failureKey, now time.Time, next *time.Time) (where, update bson.D) {
	set := bson.D{
		{Key: "last_error", Value: k.text}, {Key: "last_updated", Value: now},
		{Key: SendFailuresField, Value: pyInt(k.failures)},
	}
	if next != nil {
		set = append(set, bson.E{Key: "next_retry_at", Value: *next})
	}
	return bson.D{{Key: "retry_count", Value: k.round}}, bson.D{{Key: "$set", Value: set}}
}

// sendFailureLog keeps logs of failed sends readable: a permanent failure
// is logged (Warn) once per message and topic per process, then at Debug;
// transient failures at most once per topic per transientWarnEvery, the
// rest at Debug. Memory is bounded by failureLogSize entries each.
type sendFailureLog struct {
	mu     sync.Mutex
	seen   map[string]struct{}
	order  []string
	warned map[string]time.Time
}

const (
	failureLogSize     = 10000
	transientWarnEvery = time.Minute
)

func (l *sendFailureLog) report(log *slog.Logger, eventID string, f sendFailure, failures int64, next *time.Time, now time.Time) {
	attrs := []any{"event_id", eventID, "topic", f.topic, "error", f.text, "send_failures", failures}
	if f.code != "" {
		attrs = append(attrs, "code", f.code)
	}
	if next != nil {
		attrs = append(attrs, "next_retry_at", *next)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if f.permanent {
		if !l.firstPermanent(eventID + "\x00" + f.topic) {
			log.Debug("retry failed permanently again", attrs...)
			return
		}
		log.Warn("retry failed permanently: the message stays scheduled and backs off until the cause is fixed or it is discarded", attrs...)
		return
	}
	if last, ok := l.warned[f.topic]; ok && now.Sub(last) < transientWarnEvery {
		log.Debug("retry failed", attrs...)
		return
	}
	if l.warned == nil || len(l.warned) >= failureLogSize {
		l.warned = map[string]time.Time{}
	}
	l.warned[f.topic] = now
	log.Warn("retry failed", attrs...)
}

// firstPermanent remembers key and reports whether it is new, forgetting
// the oldest key when full.
func (l *sendFailureLog) firstPermanent(key string) bool {
	if _, ok := l.seen[key]; ok {
		return false
	}
	if l.seen == nil {
		l.seen = map[string]struct{}{}
	}
	if len(l.order) >= failureLogSize {
		delete(l.seen, l.order[0])
		l.order = l.order[1:]
	}
	l.seen[key] = struct{}{}
	l.order = append(l.order, key)
	return true
}
