package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
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
	types    map[string]typeRoute // per event type; the reader's goroutine only
	session  []byte               // constant provenance header values
	replay   []byte
	preserve bool
	attempts int // retries for a rejected record (the contract's retry_attempts)
	order    *keyOrder
	log      *slog.Logger
	promise  func(*kgo.Record, error) // one func for every record

	ctx     context.Context // records' context; cancelled by abort
	cancel  context.CancelFunc
	stopped atomic.Bool

	warnMu   sync.Mutex
	lastWarn time.Time
}

// kafkaState is what the Kafka sink keeps of one record, inside its
// message so that an event costs one allocation rather than one for the
// record, its headers, their values, its key and each callback.
type kafkaState struct {
	rec     kgo.Record
	headers [5]kgo.RecordHeader
	buf     [96]byte  // the original timestamp's text, then the key
	ctx     recordCtx // rec.Context; written at the message's first send only
	sink    *kafkaSink
	order   orderTicket // keyOrder's, once started
	// rejected and outages count this record's retries of each kind.
	rejected, outages int
}

// recordCtx is a record's Context: the sink's, which cancels it on abort,
// and the way back from a produce promise to the record's message. It is
// written once in a message's life, at its first send, because franz-go
// may still read a record's Context after the promise (a goroutine waiting
// out an unknown topic holds the first record's) while the message is being
// reused; it stays right for every later send of the message, since a
// run's messages are reused by that run only, with one sink (messagePool).
type recordCtx struct {
	context.Context
	m *message
}

// typeRoute is an event type's topic, the topic's part of keyOrder's hash
// and header value, built once per type.
type typeRoute struct {
	topic     string
	topicHash uint64
	header    []byte
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
	k := &kafkaSink{
		cl:       cl,
		route:    router{topics: sess.Config.TargetTopics, prefix: prefix},
		types:    map[string]typeRoute{},
		session:  []byte(sess.SessionID),
		replay:   []byte(sess.ReplayID),
		preserve: sess.Config.PreserveTimestamps,
		attempts: max(sess.Config.RetryAttempts, 0),
		order:    newKeyOrder(),
		log:      log,
		ctx:      ctx,
		cancel:   cancel,
	}
	k.promise = k.answered
	return k
}

// record fills in m's record: topic, key, value, provenance headers and
// timestamp; it returns the key keyOrder keeps it in order by.
func (k *kafkaSink) record(m *message) orderKey {
	tr, ok := k.types[m.ev.EventType]
	if !ok {
		// Kept for the run (the topic also by the client): copied out of
		// the event's block (contract.Strings).
		typ := strings.Clone(m.ev.EventType)
		topic := k.route.topic(typ)
		tr = typeRoute{topic: topic, topicHash: k.order.topicHash(topic), header: []byte(typ)}
		k.types[typ] = tr
	}
	s := &m.kafka
	orig := contract.AppendTime(s.buf[:0], m.ev.Timestamp)
	key := m.ev.Key()
	s.headers = [5]kgo.RecordHeader{
		{Key: HeaderSessionID, Value: k.session},
		{Key: HeaderReplayID, Value: k.replay},
		{Key: HeaderOriginalTimestamp, Value: orig},
		{Key: HeaderReplayedAt, Value: m.replayedAtText},
		{Key: HeaderEventType, Value: tr.header},
	}
	if s.ctx.m == nil {
		s.ctx = recordCtx{Context: k.ctx, m: m}
	}
	s.sink = k
	s.order = orderTicket{}
	s.rec = kgo.Record{
		Topic:     tr.topic,
		Key:       append(s.buf[len(orig):len(orig):len(s.buf)], key...), // past the buffer: its own array
		Value:     m.value,
		Headers:   s.headers[:],
		Timestamp: m.replayedAt,
		Context:   &s.ctx,
	}
	if k.preserve {
		s.rec.Timestamp = m.ev.Timestamp
	}
	return k.order.key(tr.topic, tr.topicHash, key)
}

func (k *kafkaSink) send(m *message) error {
	k.order.submit(k.record(m), &m.kafka)
	return nil
}

// start sends a record keyOrder let go, with its place in its key.
func (s *kafkaState) start(t orderTicket) {
	s.order = t
	s.sink.cl.Produce(s.sink.ctx, &s.rec, s.sink.promise)
}

// abort gives up on a record held behind its key's retry.
func (s *kafkaState) abort() { s.ctx.m.done(s.ctx.m, errAborted) }

// errWouldReorder explains a rejected record that was not sent again.
var errWouldReorder = errors.New("not retried: a later event with the same key was already sent to this topic, and a retry would land after it")

// answered handles a produce result: an outage (the broker is away or
// timing out) is retried with back-off for as long as the run lasts,
// because it says nothing about the event; a rejection is retried
// `attempts` times and then reported as the event's failure. Either is
// retried only while keyOrder says no later record of its key was sent.
func (k *kafkaSink) answered(r *kgo.Record, err error) {
	s := &r.Context.(*recordCtx).m.kafka
	if err == nil {
		k.finish(s, nil)
		return
	}
	outage := sendOutage(err, k.preserve)
	retryable := outage || s.rejected < k.attempts
	switch {
	case k.stopped.Load() || k.ctx.Err() != nil:
		k.finish(s, errAborted)
	case errors.Is(err, kgo.ErrClientClosed):
		k.finish(s, errClientClosed)
	case retryable && !k.order.mayRetry(s.order):
		k.finish(s, &publishError{topic: r.Topic, err: fmt.Errorf("%w; %w", err, errWouldReorder)})
	case outage:
		k.warnOutage(err)
		d := backoff(s.outages, 500*time.Millisecond, 10*time.Second)
		s.outages++
		k.retryLater(d, r)
	case s.rejected < k.attempts:
		d := backoff(s.rejected, 100*time.Millisecond, 2*time.Second)
		s.rejected++
		k.retryLater(d, r)
	default:
		k.finish(s, &publishError{topic: r.Topic, err: err})
	}
}

// finish reports a record's final result.
func (k *kafkaSink) finish(s *kafkaState, err error) {
	k.order.done(s.order)
	m := s.ctx.m
	m.done(m, err)
}

// retryLater re-produces a copy of r off the promise goroutine, which must
// never block on the client.
func (k *kafkaSink) retryLater(d time.Duration, r *kgo.Record) {
	again := &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: r.Timestamp, Context: r.Context}
	s := &r.Context.(*recordCtx).m.kafka
	time.AfterFunc(d, func() {
		if k.stopped.Load() {
			k.finish(s, errAborted)
			return
		}
		k.cl.Produce(k.ctx, again, k.promise)
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

// sendOutage is isOutage for a produce result that is not this run's own
// abort (answered handles that first), so a context error is another
// run's: franz-go waits for a new (auto-created) topic under the first
// waiting record's context and fails every record waiting on that topic
// when it ends, which says nothing about this event. A client given a
// delivery timeout times old preserved timestamps out at once: that is a
// rejection.
func sendOutage(err error, preserve bool) bool {
	if preserve && errors.Is(err, kgo.ErrRecordTimeout) {
		return false
	}
	return isOutage(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
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
