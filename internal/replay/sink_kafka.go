package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
)

var (
	// errAborted is reported for events given up on when a run stops.
	errAborted = errors.New("replay stopped before the event was acknowledged")
	// errClientClosed means this process is shutting its producer down.
	errClientClosed = errors.New("the Kafka client was closed")
)

// kafkaSink produces records asynchronously. The runner's window bounds
// what is in flight; the client batches (linger) and, being idempotent with
// acks=all (ProducerOpts), writes each record at most once per produce call.
type kafkaSink struct {
	cl       *kgo.Client
	route    router
	headers  []kgo.RecordHeader // constant provenance headers
	preserve bool
	attempts int // retries for a rejected record (the contract's retry_attempts)
	order    *keyOrder
	log      *slog.Logger

	ctx     context.Context // records' context; cancelled by abort
	cancel  context.CancelFunc
	stopped atomic.Bool

	warnMu   sync.Mutex
	lastWarn time.Time
}

// router picks a record's topic: the session's map, else prefix + type.
type router struct {
	topics map[string]string
	prefix string
}

func (r router) topic(eventType string) string {
	if t, ok := r.topics[eventType]; ok {
		return t
	}
	return r.prefix + eventType
}

func newKafkaSink(cl *kgo.Client, sess *contract.Session, prefix string, log *slog.Logger) *kafkaSink {
	ctx, cancel := context.WithCancel(context.Background())
	return &kafkaSink{
		cl:    cl,
		route: router{topics: sess.Config.TargetTopics, prefix: prefix},
		headers: []kgo.RecordHeader{
			{Key: HeaderSessionID, Value: []byte(sess.SessionID)},
			{Key: HeaderReplayID, Value: []byte(sess.ReplayID)},
		},
		preserve: sess.Config.PreserveTimestamps,
		attempts: max(sess.Config.RetryAttempts, 0),
		order:    newKeyOrder(),
		log:      log,
		ctx:      ctx,
		cancel:   cancel,
	}
}

func (k *kafkaSink) record(m *message) *kgo.Record {
	h := make([]kgo.RecordHeader, 0, len(k.headers)+3)
	h = append(h, k.headers...)
	h = append(h,
		kgo.RecordHeader{Key: HeaderOriginalTimestamp, Value: []byte(m.ev.Timestamp.Format(contract.TimeFormat))},
		kgo.RecordHeader{Key: HeaderReplayedAt, Value: []byte(m.replayedAt.UTC().Format(contract.TimeFormat))},
		kgo.RecordHeader{Key: HeaderEventType, Value: []byte(m.ev.EventType)},
	)
	r := &kgo.Record{
		Topic:     k.route.topic(m.ev.EventType),
		Key:       []byte(m.ev.Key()),
		Value:     m.value,
		Headers:   h,
		Timestamp: m.replayedAt,
	}
	if k.preserve {
		r.Timestamp = m.ev.Timestamp
	}
	return r
}

func (k *kafkaSink) send(m *message, done func(error)) error {
	r := k.record(m)
	key := r.Topic + "\x00" + string(r.Key)
	k.order.submit(key, heldSend{
		start: func(seq uint64) {
			k.produce(r, 0, 0, func(err error) {
				k.order.done(key, seq)
				done(err)
			}, func() bool { return k.order.mayRetry(key, seq) })
		},
		abort: func() { done(errAborted) },
	})
	return nil
}

// errWouldReorder explains a rejected record that was not sent again.
var errWouldReorder = errors.New("not retried: a later event with the same key was already sent to this topic, and a retry would land after it")

// produce sends r and handles its result: an outage (the broker is away or
// timing out) is retried with back-off for as long as the run lasts, because
// it says nothing about the event; a rejection is retried `attempts` times
// and then reported as the event's failure. Either is retried only while
// mayRetry says no later record of its key was sent (keyOrder).
func (k *kafkaSink) produce(r *kgo.Record, rejected, outages int, finish func(error), mayRetry func() bool) {
	k.cl.Produce(k.ctx, r, func(r *kgo.Record, err error) {
		retryable := isOutage(err) && !(k.preserve && errors.Is(err, kgo.ErrRecordTimeout)) || rejected < k.attempts
		switch {
		case err == nil:
			finish(nil)
		case k.stopped.Load() || k.ctx.Err() != nil:
			finish(errAborted)
		case errors.Is(err, kgo.ErrClientClosed):
			finish(errClientClosed)
		case retryable && !mayRetry():
			finish(&publishError{topic: r.Topic, err: fmt.Errorf("%w; %w", err, errWouldReorder)})
		case isOutage(err) && !(k.preserve && errors.Is(err, kgo.ErrRecordTimeout)):
			// (A client given a delivery timeout times out old preserved
			// timestamps at once: that is a rejection, not an outage.)
			k.warnOutage(err)
			k.retryLater(backoff(outages, 500*time.Millisecond, 10*time.Second), r, rejected, outages+1, finish, mayRetry)
		case rejected < k.attempts:
			k.retryLater(backoff(rejected, 100*time.Millisecond, 2*time.Second), r, rejected+1, outages, finish, mayRetry)
		default:
			finish(&publishError{topic: r.Topic, err: err})
		}
	})
}

// retryLater re-produces a copy of r off the promise goroutine, which must
// never block on the client.
func (k *kafkaSink) retryLater(d time.Duration, r *kgo.Record, rejected, outages int, finish func(error), mayRetry func() bool) {
	again := &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: r.Timestamp}
	time.AfterFunc(d, func() {
		if k.stopped.Load() {
			finish(errAborted)
			return
		}
		k.produce(again, rejected, outages, finish, mayRetry)
	})
}

func (k *kafkaSink) warnOutage(err error) {
	k.warnMu.Lock()
	defer k.warnMu.Unlock()
	if time.Since(k.lastWarn) < 10*time.Second {
		return
	}
	k.lastWarn = time.Now()
	k.log.Warn("Kafka is not accepting records; backing off and retrying", "error", err)
}

func (k *kafkaSink) sync(fn func()) (int64, error) {
	fn()
	return 0, nil
}

func (k *kafkaSink) abort() {
	k.stopped.Store(true)
	k.cancel()
	k.order.abort()
}

func (k *kafkaSink) close() error {
	k.abort()
	return nil
}

// publishError is an event Kafka rejected after every retry.
type publishError struct {
	topic string
	err   error
}

func (e *publishError) Error() string { return fmt.Sprintf("publish to %s: %v", e.topic, e.err) }
func (e *publishError) Unwrap() error { return e.err }

// errorType names an error for a session's errors list: Kafka's error
// code when there is one.
func errorType(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	return "publish_error"
}

// isOutage tells a cluster that is unreachable or overloaded (retry, it says
// nothing about the event) from a rejection of this record.
func isOutage(err error) bool {
	if errors.Is(err, kgo.ErrRecordTimeout) || errors.Is(err, kgo.ErrRecordRetries) ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		if ke == kerr.UnknownTopicOrPartition || ke == kerr.UnknownTopicID {
			return false // a missing topic will not appear by waiting
		}
		return ke.Retriable
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// backoff is exponential with jitter, capped.
func backoff(n int, base, limit time.Duration) time.Duration {
	d := base << min(n, 10)
	if d > limit || d <= 0 {
		d = limit
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
