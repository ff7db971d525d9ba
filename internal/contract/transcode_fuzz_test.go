package contract

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// appendJSONBytesByteLoop is appendJSONBytes as it was before the
// word-at-a-time scan (issue 11): the oracle the escaper must match byte
// for byte. It escapes only what JSON requires (no HTML escaping of <, >,
// &, nor of U+2028/U+2029) and turns each invalid UTF-8 byte into \ufffd.
func appendJSONBytesByteLoop(dst []byte, s []byte) []byte {
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
		r, size := utf8.DecodeRune(s[i:])
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

// escaperSamples put each kind of byte the escaper treats specially at
// every offset of an 8-byte word, and at the tail.
func escaperSamples() []string {
	specials := []string{"\x00", "\x1f", " ", "\x7f", `"`, `\`, "\n", "\r", "\t", "<>&", "\u2028\u2029",
		"é", "€", "😀", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}
	out := []string{"", "plain", "01234567", "0123456789abcdef-"}
	for _, sp := range specials {
		for pad := range 17 {
			out = append(out, strings.Repeat("a", pad)+sp, sp+strings.Repeat("b", pad), strings.Repeat("c", pad)+sp+"0123456789")
		}
	}
	return out
}

func TestAppendJSONBytesMatchesByteLoop(t *testing.T) {
	for _, s := range escaperSamples() {
		got := appendJSONBytes([]byte("p"), []byte(s))
		want := appendJSONBytesByteLoop([]byte("p"), []byte(s))
		if !bytes.Equal(got, want) {
			t.Fatalf("appendJSONBytes(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzAppendJSONBytesMatchesByteLoop(f *testing.F) {
	for _, s := range escaperSamples() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		got := appendJSONBytes([]byte("p"), s)
		want := appendJSONBytesByteLoop([]byte("p"), s)
		if !bytes.Equal(got, want) {
			t.Fatalf("appendJSONBytes(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzTranscoderMatchesReference feeds arbitrary bytes as a stored
// document: the transcoder, RawToJSON and ParseStoredEvent must give what
// the reference implementations give, including their errors and panics.
func FuzzTranscoderMatchesReference(f *testing.F) {
	for _, d := range transcodeSamples(f) {
		f.Add([]byte(d))
	}
	now := time.Date(2030, 5, 6, 7, 8, 9, 10_000_000, time.UTC)
	f.Fuzz(func(t *testing.T, doc []byte) {
		matchReference(t, doc, now)
	})
}
