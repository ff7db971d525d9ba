package contract

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
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

// ParseStoredEvent reads the routing fields of an events document. Each
// field is the first of its name, as bson.Raw.Lookup finds it, read in the
// same pass that validates the document.
func ParseStoredEvent(raw bson.Raw) (StoredEvent, error) {
	var f routingFields
	if err := f.read(raw); err != nil {
		return StoredEvent{Raw: raw}, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	return f.event(raw, nil)
}

// event is the StoredEvent of raw, whose fields f read from a valid
// document, or why those fields do not make an event. Its strings come
// from strs, or from an allocation of their own when strs is nil.
func (f *routingFields) event(raw bson.Raw, strs *Strings) (StoredEvent, error) {
	ev := StoredEvent{Raw: raw, ObjectID: f.oid}
	if !f.id.ok || len(f.id.s) == 0 {
		return ev, fmt.Errorf("%w: missing string event_id", ErrMalformedEvent)
	}
	if !f.typ.ok || len(f.typ.s) == 0 {
		ev.EventID = string(f.id.s)
		return ev, fmt.Errorf("%w: event %s: missing string event_type", ErrMalformedEvent, ev.EventID)
	}
	if !f.tsOK {
		ev.EventID, ev.EventType = string(f.id.s), string(f.typ.s)
		return ev, fmt.Errorf("%w: event %s: timestamp is not a date", ErrMalformedEvent, ev.EventID)
	}
	ev.Timestamp = time.UnixMilli(f.ts).UTC()
	ev.EventID, ev.EventType, ev.AggregateID = f.strings(strs)
	return ev, nil
}

// routingFields are the first _id, event_id, event_type, timestamp and
// aggregate_id of a document.
type routingFields struct {
	seen         uint8 // bit per field name met
	oid          bson.ObjectID
	id, typ, agg strField
	ts           int64
	tsOK         bool
}

// strField is a field that counts only when it is a string.
type strField struct {
	s  []byte
	ok bool
}

// read validates doc exactly as bson.Raw.Validate does (same checks, same
// errors) and picks up the routing fields on the way.
func (f *routingFields) read(doc []byte) error {
	d := bsoncore.Document(doc)
	length, rem, ok := bsoncore.ReadLength(d)
	switch {
	case !ok:
		return bsoncore.NewInsufficientBytesError(d, rem)
	case int(length) > len(d):
		return bsoncore.NewDocumentLengthError(int(length), len(d))
	case length < 5:
		return bsoncore.ErrInvalidLength
	case d[length-1] != 0x00:
		return bsoncore.ErrMissingNull
	}
	length -= 4
	for length > 1 {
		// ReadElement's and Element.Validate's checks, inlined: this loop
		// runs for every field.
		k := -1
		if len(rem) >= 2 {
			k = indexZero(rem[1:])
		}
		if k < 0 {
			return bsoncore.NewInsufficientBytesError(d, rem)
		}
		n, ok := stringSize(rem, k)
		if !ok {
			if n, ok = valueSize(rem, k); !ok {
				return bsoncore.NewInsufficientBytesError(d, rem)
			}
		}
		if f.seen != 0x1f {
			f.note(bsoncore.Type(rem[0]), rem[1:1+k], rem[2+k:2+k+n])
		}
		rem = rem[2+k+n:]
		length -= int32(2 + k + n)
	}
	if len(rem) < 1 || rem[0] != 0x00 {
		return bsoncore.ErrMissingNull
	}
	return nil
}

func (f *routingFields) note(t bsoncore.Type, key, val []byte) {
	v := bsoncore.Value{Type: t, Data: val}
	switch string(key) {
	case "_id":
		if f.first(0) {
			f.oid, _ = v.ObjectIDOK()
		}
	case "event_id":
		if f.first(1) {
			f.id = stringOf(v)
		}
	case "event_type":
		if f.first(2) {
			f.typ = stringOf(v)
		}
	case "timestamp":
		if f.first(3) && v.Type == bsoncore.TypeDateTime {
			f.ts, f.tsOK = v.DateTimeOK()
		}
	case "aggregate_id":
		if f.first(4) {
			f.agg = stringOf(v)
		}
	}
}

// strings copies the event id, type and aggregate id out of the document
// in one piece of text, from strs when given: the engine keeps them while
// the event is in flight.
func (f *routingFields) strings(strs *Strings) (id, typ, agg string) {
	all := strs.concat(f.id.s, f.typ.s, f.agg.s)
	n1, n2 := len(f.id.s), len(f.id.s)+len(f.typ.s)
	return all[:n1], all[n1:n2], all[n2:]
}

// first reports whether field bit was not met before, and marks it.
func (f *routingFields) first(bit uint) bool {
	if f.seen&(1<<bit) != 0 {
		return false
	}
	f.seen |= 1 << bit
	return true
}

func stringOf(v bsoncore.Value) strField {
	if v.Type != bsoncore.TypeString {
		return strField{}
	}
	l, rest, ok := bsoncore.ReadLength(v.Data)
	if !ok || l < 1 || int(l) > len(rest) {
		return strField{}
	}
	return strField{s: rest[:l-1], ok: true}
}

// Key is the Kafka record key the contract specifies: the aggregate id, or
// the event id when there is no aggregate.
func (e StoredEvent) Key() string {
	if e.AggregateID != "" {
		return e.AggregateID
	}
	return e.EventID
}

// TimeFormat is how dates appear in JSON: RFC 3339, UTC, millisecond precision.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// AppendEventJSON appends the event as the contract's JSON object to dst:
// every stored field in stored order except bookkeeping, dates as RFC 3339.
// A non-nil replayTime replaces `timestamp` (the default unless timestamps
// are preserved).
func AppendEventJSON(dst []byte, raw bson.Raw, replayTime *time.Time) ([]byte, error) {
	var at []byte
	if replayTime != nil {
		var buf [len(TimeFormat) + 8]byte
		at = AppendTime(buf[:0], *replayTime)
	}
	return AppendEventJSONAt(dst, raw, at)
}

// AppendEventJSONAt is AppendEventJSON with the replay time already
// formatted by AppendTime (nil keeps the stored timestamp), so a replay
// formats it once for the value and the headers.
func AppendEventJSONAt(dst []byte, raw bson.Raw, replayTime []byte) ([]byte, error) {
	if out, ok := transcode(presize(dst, raw), ownBytes(raw), replayTime, true, true, '{', '}'); ok {
		return out, nil
	}
	// The transcoder gives up on anything it cannot read; the reference
	// encoder then says why, exactly as it always has.
	var t *time.Time
	if replayTime != nil {
		p, err := time.Parse(TimeFormat, string(replayTime))
		if err != nil {
			return dst, fmt.Errorf("replay time %q: %w", replayTime, err)
		}
		t = &p
	}
	return unpanicked(dst, func() ([]byte, error) { return appendEventJSONRef(dst, raw, t) })
}

// AppendTime appends t as the contract writes dates: TimeFormat, UTC. It
// writes the digits itself (time.AppendFormat parses the layout on every
// call, twice per replayed event); years outside 0-9999 take AppendFormat.
func AppendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, TimeFormat)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	return append(dst,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

// unpanicked runs the reference encoder, whose driver accessors panic on
// some BSON they cannot read (a string whose declared length leaves no room
// for its terminator), and turns such a panic into an error: a document
// another program wrote is skipped and counted, it never brings a replay
// or a DLQ listing down. dst is returned as given on a panic.
func unpanicked(dst []byte, encode func() ([]byte, error)) (out []byte, err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		// The driver panics with its own error values; anything else (a
		// runtime error) is a bug here, not a document to skip.
		if _, bug := p.(runtime.Error); bug {
			panic(p)
		}
		out, err = dst, fmt.Errorf("%w: unreadable BSON: %v", ErrMalformedEvent, p)
	}()
	return encode()
}

// RawToJSON renders any BSON document (for example a DLQ message's event)
// as JSON with the same conventions as AppendEventJSON, bookkeeping included.
func RawToJSON(raw bson.Raw) ([]byte, error) {
	if out, ok := transcode(presize(nil, raw), ownBytes(raw), nil, false, true, '{', '}'); ok {
		return out, nil
	}
	return unpanicked(nil, func() ([]byte, error) { return appendDocument(nil, raw, '{', '}', true) })
}

// presize gives dst room for the JSON of raw, which is seldom longer
// than its BSON, so that the transcoder does not grow it field by field.
func presize(dst []byte, raw bson.Raw) []byte {
	return slices.Grow(dst, len(raw)+64)
}

// ownBytes caps raw's capacity at its length: the string escaper reads
// whole words where capacity allows, and must not read past the document
// into memory its caller may be filling.
func ownBytes(raw bson.Raw) []byte { return raw[:len(raw):len(raw)] }

// transcode writes the BSON document doc as JSON straight from its bytes,
// without the element slices and strings the driver's accessors allocate
// (this runs for every replayed event). top drops bookkeeping fields and
// puts replayTime (when non-nil) in place of `timestamp`. It reads the
// document with the same checks as bson.Raw.Elements and reports false
// where that would fail, leaving the error to the reference encoder.
func transcode(dst []byte, doc []byte, replayTime []byte, top, keys bool, open, close byte) ([]byte, bool) {
	dst = append(dst, open)
	if len(doc) == 0 {
		return append(dst, close), true // as Raw.Elements: no document, no fields
	}
	length, rem, ok := bsoncore.ReadLength(doc)
	if !ok {
		return dst, false
	}
	length -= 4
	first := true
	for length > 1 {
		if len(rem) < 2 {
			return dst, false
		}
		t, mark := bsoncore.Type(rem[0]), len(dst)
		if !first {
			dst = append(dst, ',')
		}
		// The key is written as it is read, and taken back below if the
		// field is bookkeeping.
		var k int
		if keys {
			if dst, k, ok = appendKey(dst, rem[1:]); !ok {
				return dst, false
			}
		} else if k = indexZero(rem[1:]); k < 0 {
			return dst, false
		}
		n, ok := stringSize(rem, k)
		if !ok {
			if n, ok = valueSize(rem, k); !ok {
				return dst, false
			}
		}
		key, val := rem[1:1+k], rem[2+k:2+k+n]
		rem = rem[2+k+n:]
		length -= int32(2 + k + n)
		if top && isBookkeeping(key) {
			dst = dst[:mark]
			continue
		}
		first = false
		if keys {
			dst = append(dst, ':')
		}
		if top && replayTime != nil && string(key) == "timestamp" {
			dst = append(append(append(dst, '"'), replayTime...), '"')
			continue
		}
		if t == bsoncore.TypeString && n > 4 { // most values: spare the call
			dst = appendJSONBytes(dst, val[4:n-1])
			continue
		}
		if dst, ok = transcodeValue(dst, t, val); !ok {
			return dst, false
		}
	}
	return append(dst, close), true
}

// isBookkeeping reports the fields that are storage details, not part of
// the event on the wire.
func isBookkeeping(key []byte) bool {
	switch string(key) {
	case "_id", "stored_at", "ttl_expires_at":
		return true
	}
	return false
}

// transcodeValue is appendJSONValue on the bytes of a value valueSize
// sized: fixed-size values have their exact length, and length-prefixed
// ones fit their prefix. It refuses what the driver's accessors would
// panic on, leaving that to the reference encoder. Dates, ids and base64
// never need escaping.
func transcodeValue(dst []byte, t bsoncore.Type, val []byte) ([]byte, bool) {
	switch t {
	case bsoncore.TypeString:
		l := int32(binary.LittleEndian.Uint32(val))
		if l < 1 {
			return dst, false
		}
		return appendJSONBytes(dst, val[4:4+l-1]), true
	case bsoncore.TypeInt32:
		return strconv.AppendInt(dst, int64(int32(binary.LittleEndian.Uint32(val))), 10), true
	case bsoncore.TypeInt64:
		return strconv.AppendInt(dst, int64(binary.LittleEndian.Uint64(val)), 10), true
	case bsoncore.TypeDouble:
		return appendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(val))), true
	case bsoncore.TypeBoolean:
		return strconv.AppendBool(dst, val[0] == 0x01), true
	case bsoncore.TypeNull, bsoncore.TypeUndefined:
		return append(dst, "null"...), true
	case bsoncore.TypeDateTime:
		dst = AppendTime(append(dst, '"'), time.UnixMilli(int64(binary.LittleEndian.Uint64(val))))
		return append(dst, '"'), true
	case bsoncore.TypeEmbeddedDocument, bsoncore.TypeArray:
		if len(val) < 4 { // what Value.DocumentOK and ArrayOK refuse
			return dst, false
		}
		if t == bsoncore.TypeArray {
			return transcode(dst, val, nil, false, false, '[', ']')
		}
		return transcode(dst, val, nil, false, true, '{', '}')
	case bsoncore.TypeObjectID:
		dst = hex.AppendEncode(append(dst, '"'), val)
		return append(dst, '"'), true
	case bsoncore.TypeBinary:
		_, data, ok := bsoncore.Value{Type: t, Data: val}.BinaryOK()
		dst = base64.StdEncoding.AppendEncode(append(dst, '"'), data)
		return append(dst, '"'), ok
	default:
		// Decimals and rare types (regex, timestamp, JS code): the
		// reference encoder's text; they are seldom in events.
		v := bsoncore.Value{Type: t, Data: val}
		if v.Validate() != nil {
			return dst, false
		}
		out, err := appendJSONValue(dst, bson.RawValue{Type: bson.Type(v.Type), Value: v.Data})
		return out, err == nil
	}
}

// appendEventJSONRef is the reference encoder, through the driver's
// accessors: it reports why a document cannot be encoded.
func appendEventJSONRef(dst []byte, raw bson.Raw, replayTime *time.Time) ([]byte, error) {
	elems, err := raw.Elements()
	if err != nil {
		return dst, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	dst = append(dst, '{')
	first := true
	for _, el := range elems {
		key := el.Key()
		if isBookkeeping([]byte(key)) {
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

func appendJSONString(dst []byte, s string) []byte { return appendJSONBytes(dst, []byte(s)) }
