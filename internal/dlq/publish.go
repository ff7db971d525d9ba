package dlq

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/uuid"
	"github.com/integr8scode/replayctl/internal/wait"
)

// retryRecord is the message's event as the contract's JSON, keyed by its
// event id, with the stored headers restored and the redrive headers added;
// edited says an operator changed the event (see Manager.Edit).
func retryRecord(msg *contract.DLQMessage, topic string, now time.Time, edited bool) (*kgo.Record, error) {
	value, err := contract.AppendEventJSON(nil, msg.Event, nil)
	if err != nil {
		return nil, fmt.Errorf("encode event %s: %w", msg.EventID(), err)
	}
	return &kgo.Record{
		Topic:   topic,
		Key:     []byte(msg.EventID()),
		Value:   value,
		Headers: redriveHeaders(msg, now, edited),
	}, nil
}

var redriveNames = map[string]bool{HeaderRetryCount: true, HeaderEventID: true, HeaderOriginalTopic: true, HeaderRedrivenAt: true, HeaderEdited: true}

func redriveHeaders(msg *contract.DLQMessage, now time.Time, edited bool) []kgo.RecordHeader {
	names := make([]string, 0, len(msg.Headers))
	for k := range msg.Headers {
		if !redriveNames[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	hs := make([]kgo.RecordHeader, 0, len(names)+5)
	for _, k := range names {
		hs = append(hs, kgo.RecordHeader{Key: k, Value: []byte(msg.Headers[k])})
	}
	hs = append(hs,
		kgo.RecordHeader{Key: HeaderRetryCount, Value: []byte(strconv.FormatInt(msg.RetryCount+1, 10))},
		kgo.RecordHeader{Key: HeaderEventID, Value: []byte(msg.EventID())},
		kgo.RecordHeader{Key: HeaderOriginalTopic, Value: []byte(msg.OriginalTopic)},
		kgo.RecordHeader{Key: HeaderRedrivenAt, Value: []byte(now.UTC().Format(contract.TimeFormat))},
	)
	if edited {
		hs = append(hs, kgo.RecordHeader{Key: HeaderEdited, Value: []byte("true")})
	}
	return hs
}

// produceAll publishes recs asynchronously and waits for every
// acknowledgement; errs[i] is recs[i]'s outcome.
func (m *Manager) produceAll(ctx context.Context, recs []*kgo.Record) []error {
	return m.producePaced(ctx, ctx, recs, nil)
}

// producePaced is produceAll spaced by p (nil = no pacing). Pacing waits on
// paceCtx, so cancelling it stops the sends not yet made (they fail with
// "not sent") while those in flight complete under ctx.
func (m *Manager) producePaced(paceCtx, ctx context.Context, recs []*kgo.Record, p *pacer) []error {
	errs := make([]error, len(recs))
	var wg sync.WaitGroup
	for i, r := range recs {
		if err := p.wait(paceCtx); err != nil {
			for j := i; j < len(recs); j++ {
				errs[j] = fmt.Errorf("not sent: %w", err)
			}
			break
		}
		wg.Add(1)
		m.Kafka.Produce(ctx, r, func(_ *kgo.Record, err error) {
			errs[i] = err
			wg.Done()
		})
	}
	wg.Wait()
	return errs
}

// pacer spaces sends to a rate; a nil pacer never waits.
type pacer struct {
	interval time.Duration
	next     time.Time
}

func newPacer(rate float64) *pacer {
	if rate <= 0 {
		return nil
	}
	return &pacer{interval: time.Duration(float64(time.Second) / rate)}
}

func (p *pacer) wait(ctx context.Context) error {
	if p == nil {
		return ctx.Err()
	}
	now := time.Now()
	if p.next.IsZero() || p.next.Before(now) {
		p.next = now
	}
	if d := p.next.Sub(now); d > 0 {
		if err := wait.Sleep(ctx, d); err != nil {
			return err
		}
	}
	p.next = p.next.Add(p.interval)
	return nil
}

// Notification metadata, as the platform's DLQ manager stamps it (contract
// "DLQ notification events"; every field a required string).
const (
	NotificationService = "dlq-manager"
	NotificationVersion = "1.0.0"
)

// notification builds a DLQ notification event (contract "DLQ notification
// events"): the common event fields, then the type's own fields. Its key is
// the DLQ message's event id, so one message's notifications stay in order.
func (m *Manager) notification(eventType string, msg *contract.DLQMessage, now time.Time, fields bson.D) (*kgo.Record, error) {
	dlqEventID := msg.EventID()
	doc := bson.D{
		{Key: "event_id", Value: uuid.New()},
		{Key: "event_type", Value: eventType},
		{Key: "event_version", Value: "1.0"},
		{Key: "timestamp", Value: now},
		{Key: "aggregate_id", Value: nil},
		{Key: "metadata", Value: bson.D{
			{Key: "service_name", Value: NotificationService},
			{Key: "service_version", Value: NotificationVersion},
			{Key: "user_id", Value: notificationUserID(msg.Event)},
			{Key: "environment", Value: m.environment()},
		}},
		{Key: "dlq_event_id", Value: dlqEventID},
	}
	raw, err := bson.Marshal(append(doc, fields...))
	if err != nil {
		return nil, fmt.Errorf("encode %s for %s: %w", eventType, dlqEventID, err)
	}
	value, err := contract.RawToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("encode %s for %s: %w", eventType, dlqEventID, err)
	}
	return &kgo.Record{Topic: m.TopicPrefix + eventType, Key: []byte(dlqEventID), Value: value}, nil
}

// notificationUserID is the failed event's metadata.user_id, which the
// platform's DLQ manager copies. An event without a string user_id gets a
// fresh random UUID: that is what the platform's EventMetadata defaults
// user_id to (default_factory uuid4) when it parses such an event, so its
// own notifications carry one too; a fixed placeholder such as "system"
// would read as a real user to consumers that group by user.
func notificationUserID(event bson.Raw) string {
	if event != nil {
		if v, err := event.LookupErr("metadata", "user_id"); err == nil {
			if s, ok := v.StringValueOK(); ok {
				return s
			}
		}
	}
	return uuid.New()
}

func receivedFields(msg *contract.DLQMessage) bson.D {
	return bson.D{
		{Key: "original_topic", Value: msg.OriginalTopic},
		{Key: "original_event_type", Value: msg.EventType()},
		{Key: "error", Value: msg.Error},
		{Key: "retry_count", Value: msg.RetryCount},
		{Key: "producer_id", Value: msg.ProducerID},
		{Key: "failed_at", Value: msg.FailedAt},
	}
}

func retriedFields(msg *contract.DLQMessage, retryCountAfter int64, retryTopic string) bson.D {
	return bson.D{
		{Key: "original_topic", Value: msg.OriginalTopic},
		{Key: "original_event_type", Value: msg.EventType()},
		{Key: "retry_count", Value: retryCountAfter},
		{Key: "retry_topic", Value: retryTopic},
	}
}

func discardedFields(msg *contract.DLQMessage, reason string) bson.D {
	return bson.D{
		{Key: "original_topic", Value: msg.OriginalTopic},
		{Key: "original_event_type", Value: msg.EventType()},
		{Key: "reason", Value: reason},
		{Key: "retry_count", Value: msg.RetryCount},
	}
}

// notifier collects notifications for a batch and publishes them together.
type notifier struct {
	m    *Manager
	recs []*kgo.Record
	ids  []string
}

func (n *notifier) add(eventType string, msg *contract.DLQMessage, now time.Time, fields bson.D) {
	rec, err := n.m.notification(eventType, msg, now, fields)
	if err != nil {
		n.m.log().Error("cannot build notification", "event_id", msg.EventID(), "type", eventType, "error", err)
		return
	}
	n.recs = append(n.recs, rec)
	n.ids = append(n.ids, msg.EventID())
}

// flush publishes and waits; a notification that fails is logged, never an
// item failure: the message's own state is already persisted.
func (n *notifier) flush(ctx context.Context) int {
	if len(n.recs) == 0 || n.m.Kafka == nil {
		return 0
	}
	failed := 0
	for i, err := range n.m.produceAll(ctx, n.recs) {
		if err != nil {
			failed++
			n.m.log().Warn("notification not published", "event_id", n.ids[i], "topic", n.recs[i].Topic, "error", err)
		}
	}
	n.recs, n.ids = n.recs[:0], n.ids[:0]
	return failed
}
