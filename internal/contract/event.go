package contract

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// StoredEvent is the part of an `events` document replayctl needs to route,
// order and checkpoint it. Raw is the whole document, payload untouched.
type StoredEvent struct {
	ObjectID    bson.ObjectID
	EventID     string
	EventType   string
	Timestamp   time.Time
	AggregateID string
	Raw         bson.Raw
}

// ErrMalformedEvent marks a stored document that cannot be replayed as an
// event; replay counts it as skipped instead of failing.
var ErrMalformedEvent = errors.New("malformed event")

// ParseStoredEvent reads the routing fields of an events document.
func ParseStoredEvent(raw bson.Raw) (StoredEvent, error) {
	ev := StoredEvent{Raw: raw}
	if err := raw.Validate(); err != nil {
		return ev, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	if v, err := raw.LookupErr("_id"); err == nil {
		ev.ObjectID, _ = v.ObjectIDOK()
	}
	var ok bool
	if ev.EventID, ok = lookupString(raw, "event_id"); !ok || ev.EventID == "" {
		return ev, fmt.Errorf("%w: missing string event_id", ErrMalformedEvent)
	}
	if ev.EventType, ok = lookupString(raw, "event_type"); !ok || ev.EventType == "" {
		return ev, fmt.Errorf("%w: event %s: missing string event_type", ErrMalformedEvent, ev.EventID)
	}
	ts, err := raw.LookupErr("timestamp")
	if err != nil || ts.Type != bson.TypeDateTime {
		return ev, fmt.Errorf("%w: event %s: timestamp is not a date", ErrMalformedEvent, ev.EventID)
	}
	ev.Timestamp = time.UnixMilli(ts.DateTime()).UTC()
	ev.AggregateID, _ = lookupString(raw, "aggregate_id")
	return ev, nil
}

func lookupString(raw bson.Raw, key string) (string, bool) {
	v, err := raw.LookupErr(key)
	if err != nil {
		return "", false
	}
	return v.StringValueOK()
}

// Key is the Kafka record key the contract specifies: the aggregate id, or
// the event id when there is no aggregate.
func (e StoredEvent) Key() string {
	if e.AggregateID != "" {
		return e.AggregateID
	}
	return e.EventID
}

// bookkeeping fields are storage details, not part of the event on the wire.
var bookkeeping = map[string]bool{"_id": true, "stored_at": true, "ttl_expires_at": true}

// TimeFormat is how dates appear in JSON: RFC 3339, UTC, millisecond precision.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// AppendEventJSON appends the event as the contract's JSON object to dst:
// every stored field in stored order except bookkeeping, dates as RFC 3339.
// A non-nil replayTime replaces `timestamp` (the default unless timestamps
// are preserved).
func AppendEventJSON(dst []byte, raw bson.Raw, replayTime *time.Time) ([]byte, error) {
	elems, err := raw.Elements()
	if err != nil {
		return dst, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	dst = append(dst, '{')
	first := true
	for _, el := range elems {
		key := el.Key()
		if bookkeeping[key] {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, key)
		dst = append(dst, ':')
		if key == "timestamp" && replayTime != nil {
			dst = appendJSONString(dst, replayTime.UTC().Format(TimeFormat))
			continue
		}
		if dst, err = appendJSONValue(dst, el.Value()); err != nil {
			return dst, fmt.Errorf("field %s: %w", key, err)
		}
	}
	return append(dst, '}'), nil
}

// RawToJSON renders any BSON document (for example a DLQ message's event)
// as JSON with the same conventions as AppendEventJSON, bookkeeping included.
func RawToJSON(raw bson.Raw) ([]byte, error) {
	return appendDocument(nil, raw, '{', '}', true)
}

func appendDocument(dst []byte, raw bson.Raw, open, close byte, keys bool) ([]byte, error) {
	elems, err := raw.Elements()
	if err != nil {
		return dst, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	dst = append(dst, open)
	for i, el := range elems {
		if i > 0 {
			dst = append(dst, ',')
		}
		if keys {
			dst = appendJSONString(dst, el.Key())
			dst = append(dst, ':')
		}
		if dst, err = appendJSONValue(dst, el.Value()); err != nil {
			return dst, err
		}
	}
	return append(dst, close), nil
}

func appendJSONValue(dst []byte, v bson.RawValue) ([]byte, error) {
	switch v.Type {
	case bson.TypeString:
		return appendJSONString(dst, v.StringValue()), nil
	case bson.TypeInt32:
		return strconv.AppendInt(dst, int64(v.Int32()), 10), nil
	case bson.TypeInt64:
		return strconv.AppendInt(dst, v.Int64(), 10), nil
	case bson.TypeDouble:
		return appendFloat(dst, v.Double()), nil
	case bson.TypeBoolean:
		return strconv.AppendBool(dst, v.Boolean()), nil
	case bson.TypeNull, bson.TypeUndefined:
		return append(dst, "null"...), nil
	case bson.TypeDateTime:
		return appendJSONString(dst, time.UnixMilli(v.DateTime()).UTC().Format(TimeFormat)), nil
	case bson.TypeEmbeddedDocument:
		return appendDocument(dst, v.Document(), '{', '}', true)
	case bson.TypeArray:
		return appendDocument(dst, bson.Raw(v.Array()), '[', ']', false)
	case bson.TypeObjectID:
		return appendJSONString(dst, v.ObjectID().Hex()), nil
	case bson.TypeBinary:
		_, data := v.Binary()
		return appendJSONString(dst, base64.StdEncoding.EncodeToString(data)), nil
	case bson.TypeDecimal128:
		return appendJSONString(dst, v.Decimal128().String()), nil
	default:
		// Rare types (regex, timestamp, JS code) keep their extended-JSON text.
		return appendJSONString(dst, v.String()), nil
	}
}

func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		// Keep 1.0 a float for Python consumers, which read "1" as an int.
		return append(strconv.AppendFloat(dst, f, 'f', -1, 64), ".0"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSONString is a hand-rolled encoder because encoding/json allocates
// per call, and this runs for every field of every replayed event.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
