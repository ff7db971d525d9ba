package dlq

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// maxJSONDepth is how deeply objects and arrays may nest in a DLQ record,
// the record itself being level 1. It is MongoDB's limit on the nesting of a
// stored document (100 levels), which the stored message inherits level for
// level: a deeper record could never be inserted, so it is quarantined here,
// with this reason, before it can fail a whole batch at the server. The
// limit also bounds the parser's recursion on hostile input.
const maxJSONDepth = 100

// errTooDeep is why a record nested beyond maxJSONDepth is refused.
var errTooDeep = fmt.Errorf("objects and arrays nest deeper than %d levels, MongoDB's limit for a stored document", maxJSONDepth)

// errNULKey refuses a key with a NUL character ("\u0000"): BSON keys are
// C strings, so neither MongoDB nor the platform (pymongo) can store one,
// and a stored message must never fail its batch's insert.
var errNULKey = errors.New("contains a NUL character, which a BSON key cannot hold")

// jsonParser reads one JSON value into ordered BSON values. It replaces
// encoding/json's Decoder.Token, which allocates an error per scalar and was
// most of ingestion's own CPU time. It accepts exactly what encoding/json
// accepts, with the same values, except for nesting beyond maxJSONDepth
// and keys with a NUL (see FuzzJSONParserMatchesEncodingJSON).
type jsonParser struct {
	s     []byte
	i     int
	depth int // objects and arrays open around the current position
}

// enter opens one level of nesting; leave closes it.
func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return fmt.Errorf("offset %d: %w", p.i, errTooDeep)
	}
	return nil
}

func (p *jsonParser) leave() { p.depth-- }

func (p *jsonParser) errorf(format string, a ...any) error {
	return fmt.Errorf("offset %d: %s", p.i, fmt.Sprintf(format, a...))
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end. A NUL byte in
// the input peeks as 0xFF, which no JSON token starts with, so that callers
// never take it for the end: `{}\x00` would otherwise pass as `{}` (found
// by FuzzJSONParserMatchesEncodingJSON).
func (p *jsonParser) peek() byte {
	p.skipSpace()
	if p.i >= len(p.s) {
		return 0
	}
	if c := p.s[p.i]; c != 0 {
		return c
	}
	return 0xFF
}

func (p *jsonParser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("expected %q", c)
	}
	p.i++
	return nil
}

func (p *jsonParser) object(lv level) (bson.D, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	doc := bson.D{}
	dates := lv.dates()
	if p.peek() == '}' {
		p.i++
		return doc, nil
	}
	for {
		if p.peek() != '"' {
			return nil, p.errorf("expected a string key")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if strings.IndexByte(key, 0) >= 0 {
			return nil, fmt.Errorf("offset %d: key %q: %w", p.i, key, errNULKey)
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		v, err := p.value(dates[key], lv.child(key))
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", key, err)
		}
		doc = append(doc, bson.E{Key: key, Value: v})
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return doc, nil
		default:
			return nil, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array() (bson.A, error) {
	p.i++ // '['
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	arr := bson.A{}
	if p.peek() == ']' {
		p.i++
		return arr, nil
	}
	for {
		v, err := p.value(false, levelPlain)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return arr, nil
		default:
			return nil, p.errorf("expected ',' or ']'")
		}
	}
}

func (p *jsonParser) value(isDate bool, inner level) (any, error) {
	switch c := p.peek(); {
	case c == '{':
		return p.object(inner)
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if isDate {
			if d, ok := parseDate(s); ok {
				return d, nil
			}
		}
		return s, nil
	case c == '-' || c >= '0' && c <= '9':
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		if isDate {
			return epochDate(n)
		}
		return jsonNumber(n)
	case c == 0:
		return nil, p.errorf("unexpected end of input")
	}
	return p.literal()
}

func (p *jsonParser) literal() (any, error) {
	for _, lit := range []struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(string(p.s[p.i:min(p.i+5, len(p.s))]), lit.text) {
			p.i += len(lit.text)
			return lit.v, nil
		}
	}
	return nil, p.errorf("invalid character %q", p.s[p.i])
}

// number scans a JSON number and returns its text.
func (p *jsonParser) number() (string, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if intStart := p.i; digits() == 0 || p.s[intStart] == '0' && p.i-intStart > 1 {
		return "", p.errorf("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return "", p.errorf("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return "", p.errorf("invalid number")
		}
	}
	return string(p.s[start:p.i]), nil
}

var errUnterminated = errors.New("unterminated string")

// str reads a JSON string; each byte of invalid UTF-8 becomes U+FFFD as
// encoding/json does, so BSON never gets an invalid string.
func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := string(p.s[start:p.i])
			p.i++
			return validUTF8(s), nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.errorf("control character in string")
		}
		p.i++
	}
	return "", errUnterminated
}

// escaped continues a string that has escapes, from its start.
func (p *jsonParser) escaped(start int) (string, error) {
	var b strings.Builder
	b.Write(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return validUTF8(b.String()), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", errUnterminated
		}
		p.i += 2
		switch e := p.s[p.i-1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, err := p.unicodeEscape()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		default:
			return "", p.errorf("invalid escape \\%c", e)
		}
	}
	return "", errUnterminated
}

// validUTF8 replaces every byte that is not part of valid UTF-8 with
// U+FFFD, one for one, as encoding/json does (strings.ToValidUTF8 would
// fold a run of them into one).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unicodeEscape reads the hex of a \u escape (the "\u" already consumed),
// joining a surrogate pair into one rune.
func (p *jsonParser) unicodeEscape() (rune, error) {
	r, err := p.hex4()
	if err != nil {
		return 0, err
	}
	if utf16.IsSurrogate(r) && p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
		save := p.i
		p.i += 2
		if r2, err := p.hex4(); err == nil {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, nil
			}
		}
		p.i = save
	}
	if utf16.IsSurrogate(r) {
		return utf8.RuneError, nil
	}
	return r, nil
}

func (p *jsonParser) hex4() (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, errUnterminated
	}
	v, err := strconv.ParseUint(string(p.s[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.i += 4
	return rune(v), nil
}
