package contract

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// Byte-lane constants for testing eight bytes of a string at once.
const (
	lanesLow  = 0x0101010101010101
	lanesHigh = 0x8080808080808080
)

// unsafeLanes flags the bytes of w (eight string bytes, little-endian)
// that cannot be copied into a JSON string as they are: below 0x20, '"',
// '\\', or non-ASCII (which needs a UTF-8 check). The lowest flag is exact;
// borrows can set flags above it, so only the first one is trusted and a
// false one only costs a trip through the byte loop.
func unsafeLanes(w uint64) uint64 {
	quote := w ^ (lanesLow * '"')
	slash := w ^ (lanesLow * '\\')
	control := (w - lanesLow*0x20) &^ w
	return (control | (quote-lanesLow)&^quote | (slash-lanesLow)&^slash | w) & lanesHigh
}

// appendJSONBytes is a hand-rolled encoder because encoding/json allocates
// per call, and this runs for every field of every replayed event. It
// escapes only what JSON requires (no HTML escaping of <, >, & nor of
// U+2028/U+2029, unlike encoding/json), and writes each invalid UTF-8 byte
// as \ufffd. Runs of bytes that need nothing are found a word at a time and
// copied in one append.
func appendJSONBytes(dst []byte, s []byte) []byte {
	dst = append(dst, '"')
	start, i := 0, 0
	for i < len(s) {
		if i+8 <= len(s) {
			m := unsafeLanes(binary.LittleEndian.Uint64(s[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		} else if c := s[i]; c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' {
			i++
			continue
		}
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
		} else {
			dst = appendEscapedASCII(append(dst, s[start:i]...), c)
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscapedASCII writes the JSON escape of c, an ASCII byte that
// cannot appear raw in a JSON string.
func appendEscapedASCII(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
