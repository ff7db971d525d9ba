package dlq

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// maxAge is the platform's cut-off: older failures are dropped on receipt.
const maxAge = 7 * 24 * time.Hour

// incoming is a valid DLQ topic record on its way into dlq_messages.
type incoming struct {
	rec   *kgo.Record
	event bson.D
	msg   contract.DLQMessage // the fields the manager acts on
}

// invalidError is why a record goes to quarantine.
type invalidError struct{ reason string }

func (e *invalidError) Error() string { return e.reason }

func invalid(format string, a ...any) error { return &invalidError{fmt.Sprintf(format, a...)} }

// parseRecord reads a DLQ topic record. A record that cannot become a
// message returns an *invalidError with the quarantine reason.
func parseRecord(rec *kgo.Record) (*incoming, error) {
	doc, err := decodeRecordJSON(rec.Value)
	if errors.Is(err, errNotObject) {
		return nil, invalid("value is not a JSON object")
	}
	if err != nil {
		return nil, invalid("value is not valid JSON: %v", err)
	}
	in := &incoming{rec: rec}
	fields := make(map[string]any, len(doc))
	for _, e := range doc {
		fields[e.Key] = e.Value
	}
	if err := in.readEvent(fields["event"]); err != nil {
		return nil, err
	}
	if err := in.readFields(fields); err != nil {
		return nil, err
	}
	in.msg.Headers = headersOf(fields["headers"], rec.Headers)
	return in, nil
}

func (in *incoming) readEvent(v any) error {
	if v == nil {
		return invalid("missing event")
	}
	ev, ok := v.(bson.D)
	if !ok {
		return invalid("event is not an object")
	}
	var id any
	for _, e := range ev {
		if e.Key == "event_id" {
			id = e.Value
		}
	}
	if s, ok := id.(string); !ok || strings.TrimSpace(s) == "" {
		return invalid("missing event.event_id")
	}
	raw, err := bson.Marshal(ev)
	if err != nil {
		return invalid("event cannot be stored: %v", err)
	}
	in.event, in.msg.Event = ev, raw
	return nil
}

func (in *incoming) readFields(f map[string]any) error {
	topic, _ := f["original_topic"].(string)
	if strings.TrimSpace(topic) == "" {
		return invalid("missing original_topic")
	}
	in.msg.OriginalTopic = topic
	var err error
	if in.msg.Error, err = optString(f, "error", defaultError); err != nil {
		return err
	}
	if in.msg.ProducerID, err = optString(f, "producer_id", defaultProducerID); err != nil {
		return err
	}
	if in.msg.RetryCount, err = retryCountOf(f["retry_count"]); err != nil {
		return err
	}
	if in.msg.FailedAt, err = failedAtOf(f["failed_at"], in.rec.Timestamp); err != nil {
		return err
	}
	if s, ok := f["last_error"].(string); ok {
		in.msg.LastError = &s
	}
	// As the platform: the record's created_at when it has one (a date),
	// otherwise the time of receipt (storedDoc).
	if t, ok := f["created_at"].(bson.DateTime); ok {
		in.msg.CreatedAt = t.Time().UTC()
	}
	return nil
}

// The platform's DLQMessage defaults for a record without error or
// producer_id; the stored document and dlq_message_received carry them.
const (
	defaultError      = "Unknown error"
	defaultProducerID = "unknown"
)

func optString(f map[string]any, key, def string) (string, error) {
	switch v := f[key].(type) {
	case nil:
		return def, nil
	case string:
		return v, nil
	}
	return "", invalid("%s is not a string", key)
}

func retryCountOf(v any) (int64, error) {
	var n int64
	switch t := v.(type) {
	case nil:
		return 0, nil
	case int32:
		n = int64(t)
	case int64:
		n = t
	case float64:
		if t != math.Trunc(t) || math.Abs(t) > 1<<53 {
			return 0, invalid("retry_count is not an integer")
		}
		n = int64(t)
	default:
		return 0, invalid("retry_count is not an integer")
	}
	if n < 0 {
		return 0, invalid("retry_count is negative")
	}
	return n, nil
}

// failedAtOf reads failed_at; a record without one failed when it was
// written to the DLQ topic.
func failedAtOf(v any, recordTime time.Time) (time.Time, error) {
	switch t := v.(type) {
	case nil:
		if recordTime.IsZero() {
			return time.Time{}, invalid("missing failed_at")
		}
		return recordTime.UTC().Truncate(time.Millisecond), nil
	case bson.DateTime:
		return t.Time().UTC(), nil
	}
	return time.Time{}, invalid("failed_at is not a date")
}

// headersOf takes the value's `headers` object when present, else the
// record's Kafka headers. Non-string values keep their JSON-ish text.
func headersOf(v any, recHeaders []kgo.RecordHeader) map[string]string {
	out := map[string]string{}
	if d, ok := v.(bson.D); ok {
		for _, e := range d {
			if s, ok := e.Value.(string); ok {
				out[e.Key] = s
			} else if e.Value != nil {
				out[e.Key] = fmt.Sprint(e.Value)
			}
		}
		return out
	}
	for _, h := range recHeaders {
		out[h.Key] = string(h.Value)
	}
	return out
}

// storedDoc is the dlq_messages document in the platform's field order.
// Integers are stored as pymongo would store the Python ints.
func (in *incoming) storedDoc(id bson.ObjectID, st state, now time.Time) bson.D {
	m := &in.msg
	return bson.D{
		{Key: "_id", Value: id},
		{Key: "event", Value: in.event},
		{Key: "original_topic", Value: m.OriginalTopic},
		{Key: "error", Value: m.Error},
		{Key: "retry_count", Value: pyInt(st.retryCount)},
		{Key: "failed_at", Value: m.FailedAt},
		{Key: "status", Value: st.status},
		{Key: "producer_id", Value: m.ProducerID},
		{Key: "created_at", Value: in.createdAt(now)},
		{Key: "last_updated", Value: now},
		{Key: "next_retry_at", Value: st.nextRetryAt},
		{Key: "retried_at", Value: st.retriedAt},
		{Key: "discarded_at", Value: st.discardedAt},
		{Key: "discard_reason", Value: st.discardReason},
		{Key: "last_error", Value: m.LastError},
		{Key: "dlq_offset", Value: pyInt(in.rec.Offset)},
		{Key: "dlq_partition", Value: in.rec.Partition},
		{Key: "headers", Value: sortedHeaders(m.Headers)},
	}
}

// createdAt is the record's created_at, or now when it has none. The
// platform's TTL index (7 days on created_at) counts from it, and a new
// failure of a stored message sets it again (applyRefail), so a message
// that fails again is kept for another 7 days as on the platform.
func (in *incoming) createdAt(now time.Time) time.Time {
	if in.msg.CreatedAt.IsZero() {
		return now
	}
	return in.msg.CreatedAt
}

// sortedHeaders stores headers in a stable key order (a Go map has none).
func sortedHeaders(h map[string]string) bson.D {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := make(bson.D, len(keys))
	for i, k := range keys {
		d[i] = bson.E{Key: k, Value: h[k]}
	}
	return d
}

// state is the status part of a stored message; nil fields are null.
type state struct {
	status        contract.DLQStatus
	retryCount    int64
	nextRetryAt   *time.Time
	retriedAt     *time.Time
	discardedAt   *time.Time
	discardReason *string
}

func pyInt(n int64) any {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		return int32(n)
	}
	return n
}
