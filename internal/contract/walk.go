package contract

import (
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// ParseAndAppendEventJSON is ParseStoredEvent(raw) followed, when that
// succeeds, by AppendEventJSONAt(dst, raw, replayTime), with the same
// results (event, errors, bytes), but reading the top-level document once
// for both: a replay does both for every event. The strings of an event
// it returns without error come from strs (nil: their own allocation).
// parseErr is
// ParseStoredEvent's error, and dst is then returned as it was given (its
// spare capacity may have been written); encodeErr is AppendEventJSONAt's.
// They are apart because both may wrap ErrMalformedEvent, and a replay
// records them differently.
func ParseAndAppendEventJSON(dst []byte, raw bson.Raw, replayTime []byte, strs *Strings) (ev StoredEvent, out []byte, parseErr, encodeErr error) {
	var f routingFields
	if out, ok := f.readAppend(presize(dst, raw), ownBytes(raw), replayTime); ok {
		if ev, parseErr = f.event(raw, strs); parseErr != nil {
			return ev, dst, parseErr, nil
		}
		return ev, out, nil, nil
	}
	// Invalid, or something the transcoder leaves to the reference
	// encoder: both walks, which say why.
	if ev, parseErr = ParseStoredEvent(raw); parseErr != nil {
		return ev, dst, parseErr, nil
	}
	out, encodeErr = AppendEventJSONAt(dst, raw, replayTime)
	return ev, out, nil, encodeErr
}

// readAppend is routingFields.read and transcode's top level (top and
// keys set) in one loop: it validates doc exactly as read does, notes the
// routing fields, and appends the event's JSON to dst. It reports false
// where either would fail, without saying why. On a valid document its
// loop meets the same elements as both, as all three size elements alike.
// Its loop repeats transcode's on purpose: this is the engine's hottest
// code, and a shared loop body costs a call per element (about a tenth of
// the walk).
func (f *routingFields) readAppend(dst, doc, replayTime []byte) ([]byte, bool) {
	length, rem, ok := bsoncore.ReadLength(doc)
	if !ok || int(length) > len(doc) || length < 5 || doc[length-1] != 0x00 {
		return dst, false
	}
	dst = append(dst, '{')
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
		var k int
		if dst, k, ok = appendKey(dst, rem[1:]); !ok {
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
		if f.seen != 0x1f {
			f.note(t, key, val)
		}
		if isBookkeeping(key) {
			dst = dst[:mark]
			continue
		}
		first = false
		dst = append(dst, ':')
		if replayTime != nil && string(key) == "timestamp" {
			dst = append(append(append(dst, '"'), replayTime...), '"')
			continue
		}
		if t == bsoncore.TypeString && n > 4 {
			dst = appendJSONBytes(dst, val[4:n-1])
			continue
		}
		if dst, ok = transcodeValue(dst, t, val); !ok {
			return dst, false
		}
	}
	if len(rem) < 1 || rem[0] != 0x00 {
		return dst, false
	}
	return append(dst, '}'), true
}
