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
// as \ufffd.
func appendJSONBytes(dst []byte, s []byte) []byte {
	dst = append(dst, '"')
	i := 0
	for {
		dst, i = appendSafeRun(dst, s, i)
		if i == len(s) {
			return append(dst, '"')
		}
		dst, i = appendSpecial(dst, s, i)
	}
}

// appendSafeRun appends s[i:] up to the first byte that needs escaping or
// a UTF-8 check, and returns that byte's index (len(s) if none). It tests
// and copies eight bytes at a time, writing whole words into dst's spare
// capacity when there is room for them. The last partial word is read
// whole when s's capacity allows (bytes of the same document; the extra
// ones are neither tested nor kept).
func appendSafeRun(dst, s []byte, i int) ([]byte, int) {
	n := len(dst)
	if cap(dst)-n < len(s)-i+8 {
		j := scanSafe(s, i)
		return append(dst, s[i:j]...), j
	}
	out := dst[:cap(dst)]
	for ; i+8 <= len(s); i, n = i+8, n+8 {
		w := binary.LittleEndian.Uint64(s[i:])
		binary.LittleEndian.PutUint64(out[n:], w)
		if m := unsafeLanes(w); m != 0 {
			k := bits.TrailingZeros64(m) >> 3
			return out[:n+k], i + k
		}
	}
	r := len(s) - i
	if r == 0 || cap(s)-i < 8 {
		j := scanSafe(s, i)
		return append(out[:n], s[i:j]...), j
	}
	w := binary.LittleEndian.Uint64(s[i : i+8])
	binary.LittleEndian.PutUint64(out[n:], w)
	if m := unsafeLanes(w) & (1<<(8*r) - 1); m != 0 {
		k := bits.TrailingZeros64(m) >> 3
		return out[:n+k], i + k
	}
	return out[:n+r], len(s)
}

// scanSafe returns the index of the first byte of s[i:] that needs
// escaping or a UTF-8 check, or len(s).
func scanSafe(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := unsafeLanes(binary.LittleEndian.Uint64(s[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

// appendSpecial writes s[i], a byte appendSafeRun stopped at: an escape,
// a valid multi-byte rune as it is, or \ufffd for an invalid UTF-8 byte.
func appendSpecial(dst, s []byte, i int) ([]byte, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return appendEscapedASCII(dst, c), i + 1
	}
	r, size := utf8.DecodeRune(s[i:])
	if r == utf8.RuneError && size == 1 {
		return append(dst, `\ufffd`...), i + 1
	}
	return append(dst, s[i:i+size]...), i + size
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
