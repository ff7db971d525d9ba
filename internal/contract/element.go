package contract

import (
	"encoding/binary"
	"math"
	"math/bits"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// The element readers here are bsoncore.ReadElement taken apart: together
// they accept and refuse exactly what ReadElement followed by
// Element.Validate does (bson.Raw.Validate's check of each element), but
// find the key's end once (the transcoder copies the key while it looks
// for it) and size the types events hold without a call into bsoncore. An
// element is src[0] (type), the key up to a NUL, then the value.

// valueSize is the length of the value of the element src starts with,
// whose key is k bytes long: false where ReadElement, or Element.Validate
// after it, would refuse the element.
func valueSize(src []byte, k int) (int, bool) {
	data := src[k+2:]
	var n int64
	ok := true
	switch bsoncore.Type(src[0]) {
	case bsoncore.TypeString, bsoncore.TypeJavaScript, bsoncore.TypeSymbol:
		n, ok = prefixedLength(data, 4)
	case bsoncore.TypeEmbeddedDocument, bsoncore.TypeArray, bsoncore.TypeCodeWithScope:
		// ReadElement takes a length below 4 (the value then does not hold
		// its own length); Element.Validate, which re-reads it from the
		// value, refuses it.
		n, ok = prefixedLength(data, 0)
		ok = ok && n >= 4
	case bsoncore.TypeBinary:
		n, ok = prefixedLength(data, 4+1) // length, subtype
	case bsoncore.TypeInt32:
		n = 4
	case bsoncore.TypeDateTime, bsoncore.TypeDouble, bsoncore.TypeInt64, bsoncore.TypeTimestamp:
		n = 8
	case bsoncore.TypeObjectID:
		n = 12
	case bsoncore.TypeDecimal128:
		n = 16
	case bsoncore.TypeBoolean:
		n = 1
	case bsoncore.TypeNull, bsoncore.TypeUndefined, bsoncore.TypeMinKey, bsoncore.TypeMaxKey:
		n = 0
	default:
		elem, _, ok := bsoncore.ReadElement(src)
		return len(elem) - k - 2, ok
	}
	if !ok || n > int64(len(data)) {
		return 0, false
	}
	return int(n), true
}

// prefixedLength is bsoncore's valueLength for a value that starts with
// its int32 length: negative lengths, and totals that overflow int32 once
// the type's overhead is added, are refused as there.
func prefixedLength(data []byte, overhead int64) (int64, bool) {
	if len(data) < 4 {
		return 0, false
	}
	l := int64(int32(binary.LittleEndian.Uint32(data)))
	n := l + overhead
	return n, l >= 0 && n <= math.MaxInt32
}

// indexZero is bytes.IndexByte(s, 0) for keys, which are short: a word at
// a time in Go beats the call into the vectorised search.
func indexZero(s []byte) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		if m := (w - lanesLow) &^ w & lanesHigh; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

// stringSize is valueSize for a string, the commonest type, small enough
// to be inlined into the loops that read elements; false sends them to
// valueSize, which then refuses or sizes as ReadElement does.
func stringSize(src []byte, k int) (int, bool) {
	if src[0] != byte(bsoncore.TypeString) || len(src)-k-2 < 4 {
		return 0, false
	}
	l := int64(int32(binary.LittleEndian.Uint32(src[k+2:])))
	if l < 0 || l > math.MaxInt32-4 || l+4 > int64(len(src)-k-2) {
		return 0, false
	}
	return int(l) + 4, true
}
