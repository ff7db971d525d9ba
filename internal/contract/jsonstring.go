package contract

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
)

// Byte-lane constants for testing eight bytes of a string at once.
const (
	lanesLow  = 0x0101010101010101
	lanesHigh = 0x8080808080808080
)

// unsafeLanes flags the bytes of w (eight string bytes, little-endian)
// that cannot be copied into a JSON string as they are: below 0x20, '"',
// '\\', or non-ASCII (which needs a UTF-8 check). Each test adds within a
// byte's low seven bits, so no carry crosses lanes and every flag is
// exact.
func unsafeLanes(w uint64) uint64 {
	low := w &^ lanesHigh
	printable := low + lanesLow*(0x80-0x20) // high bit: low >= 0x20
	notQuote := (low ^ lanesLow*'"') + lanesLow*0x7f
	notSlash := (low ^ lanesLow*'\\') + lanesLow*0x7f
	return (w | ^(printable & notQuote & notSlash)) & lanesHigh
}

// appendJSONBytes is a hand-rolled encoder because encoding/json allocates
// per call, and this runs for every field of every replayed event. It
// escapes only what JSON requires (no HTML escaping of <, >, & nor of
// U+2028/U+2029, unlike encoding/json), and writes each invalid UTF-8 byte
// as \ufffd.
//
// Strings without such bytes, nearly all of them, take one pass that tests
// and stores eight bytes at a time into dst's spare capacity. The last
// partial word is read whole when s's capacity allows; the bytes past s
// are neither tested nor kept, and belong to the same document, as
// AppendEventJSONAt and RawToJSON cap its capacity at its length.
func appendJSONBytes(dst []byte, s []byte) []byte {
	// Room for both quotes and a word of slack for whole-word stores.
	dst = slices.Grow(dst, len(s)+10)
	n, out := len(dst), dst[:cap(dst)]
	out[n] = '"'
	n++
	i := 0
	for ; i+8 <= len(s); i, n = i+8, n+8 {
		w := binary.LittleEndian.Uint64(s[i:])
		binary.LittleEndian.PutUint64(out[n:], w)
		if m := unsafeLanes(w); m != 0 {
			k := bits.TrailingZeros64(m) >> 3
			return appendJSONTail(out[:n+k], s, i+k)
		}
	}
	if r := len(s) - i; r > 0 {
		if cap(s)-i < 8 {
			return appendJSONTail(out[:n], s, i)
		}
		w := binary.LittleEndian.Uint64(s[i : i+8])
		binary.LittleEndian.PutUint64(out[n:], w)
		if m := unsafeLanes(w) & (1<<(8*r) - 1); m != 0 {
			k := bits.TrailingZeros64(m) >> 3
			return appendJSONTail(out[:n+k], s, i+k)
		}
		n += r
	}
	out[n] = '"'
	return out[:n+1]
}

// appendJSONTail is appendJSONBytes from s[i] on, once a byte that needs
// care is near: safe runs are found a word at a time and appended whole.
func appendJSONTail(dst, s []byte, i int) []byte {
	for {
		j := scanSafe(s, i)
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			return append(dst, '"')
		}
		dst, i = appendSpecial(dst, s, j)
	}
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

// appendKey appends, as a JSON string, the NUL-terminated key that src
// starts with, and returns the key's length; false when src holds no NUL.
// Keys almost never need escaping, so it copies words while it looks for
// the NUL, and only a key with a byte that needs care is written again by
// appendJSONBytes.
func appendKey(dst, src []byte) ([]byte, int, bool) {
	start := len(dst)
	dst = append(dst, '"')
	n, out := len(dst), dst[:cap(dst)]
	for i := 0; i+8 <= len(src) && n+9 <= len(out); i, n = i+8, n+8 {
		w := binary.LittleEndian.Uint64(src[i:])
		binary.LittleEndian.PutUint64(out[n:], w)
		if m := unsafeLanes(w); m != 0 {
			k := bits.TrailingZeros64(m) >> 3
			if src[i+k] != 0 {
				break
			}
			out[n+k] = '"'
			return out[:n+k+1], i + k, true
		}
	}
	k := indexZero(src)
	if k < 0 {
		return dst[:start], 0, false
	}
	return appendJSONBytes(dst[:start], src[:k]), k, true
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
