package contract

import (
	"encoding/binary"
	"math"
	"math/bits"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// readElement is bsoncore.ReadElement without building the element: it
// accepts and refuses exactly what ReadElement does, and gives the key's
// and the value's lengths so that callers need not find the key's end a
// second time. The element is src[0] (type), src[1:1+keyLen] (key), a NUL,
// then valLen bytes of value. The types events hold are sized here; the
// rest are left to bsoncore.
func readElement(src []byte) (keyLen, valLen int, ok bool) {
	if len(src) < 2 {
		return 0, 0, false
	}
	k := indexZero(src[1:])
	if k < 0 {
		return 0, 0, false
	}
	data := src[k+2:]
	var n int64
	switch bsoncore.Type(src[0]) {
	case bsoncore.TypeString, bsoncore.TypeJavaScript, bsoncore.TypeSymbol:
		n, ok = prefixedLength(data, 4)
	case bsoncore.TypeEmbeddedDocument, bsoncore.TypeArray, bsoncore.TypeCodeWithScope:
		n, ok = prefixedLength(data, 0)
	case bsoncore.TypeBinary:
		n, ok = prefixedLength(data, 4+1) // length, subtype
	case bsoncore.TypeInt32:
		n, ok = 4, true
	case bsoncore.TypeDateTime, bsoncore.TypeDouble, bsoncore.TypeInt64, bsoncore.TypeTimestamp:
		n, ok = 8, true
	case bsoncore.TypeObjectID:
		n, ok = 12, true
	case bsoncore.TypeDecimal128:
		n, ok = 16, true
	case bsoncore.TypeBoolean:
		n, ok = 1, true
	case bsoncore.TypeNull, bsoncore.TypeUndefined, bsoncore.TypeMinKey, bsoncore.TypeMaxKey:
		n, ok = 0, true
	default:
		elem, _, ok := bsoncore.ReadElement(src)
		return k, len(elem) - k - 2, ok
	}
	if !ok || n > int64(len(data)) {
		return 0, 0, false
	}
	return k, int(n), true
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
