// Package eventedit is the pure core of `replayctl dlq edit`: it parses an
// operator's edited event (untrusted text from an editor, a file or
// --set), applies --set assignments, validates the result against the
// contract's required event fields, and diffs two events path by path.
//
// Values keep their key order and their number text, so an event that
// round-trips through an editor unchanged compares equal, and a stored
// event keeps the field order the platform wrote.
package eventedit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxDepth is MongoDB's nesting limit for a stored document; deeper input
// could never be stored as a DLQ message's event.
const MaxDepth = 100

// Kind is a JSON value's kind.
type Kind int

const (
	Scalar Kind = iota // string, number, bool or null, kept as its JSON text
	Object
	Array
)

// Value is an ordered JSON value.
type Value struct {
	Kind   Kind
	Keys   []string // Object: key order
	Fields map[string]*Value
	Items  []*Value        // Array
	Raw    json.RawMessage // Scalar: compact JSON text
}

// Parse reads one JSON value. Duplicate keys and keys containing NUL are
// refused: the first is ambiguous (which one would be stored?), the second
// cannot be a BSON key.
func Parse(data []byte) (*Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder, depth int) (*Value, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("empty input: want a JSON object")
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= MaxDepth {
			return nil, fmt.Errorf("nested deeper than %d levels", MaxDepth)
		}
		if t == '{' {
			return parseObject(dec, depth+1)
		}
		if t == '[' {
			return parseArray(dec, depth+1)
		}
		return nil, fmt.Errorf("unexpected %q", t)
	default:
		raw, err := scalarJSON(t)
		if err != nil {
			return nil, err
		}
		return &Value{Kind: Scalar, Raw: raw}, nil
	}
}

func parseObject(dec *json.Decoder, depth int) (*Value, error) {
	v := &Value{Kind: Object, Fields: map[string]*Value{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("expected an object key, got %v", tok)
		}
		if strings.IndexByte(key, 0) >= 0 {
			return nil, fmt.Errorf("key %q contains NUL", key)
		}
		if _, dup := v.Fields[key]; dup {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		child, err := parseValue(dec, depth)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		v.Keys = append(v.Keys, key)
		v.Fields[key] = child
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, err
	}
	return v, nil
}

func parseArray(dec *json.Decoder, depth int) (*Value, error) {
	v := &Value{Kind: Array}
	for dec.More() {
		child, err := parseValue(dec, depth)
		if err != nil {
			return nil, fmt.Errorf("%d: %w", len(v.Items), err)
		}
		v.Items = append(v.Items, child)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, err
	}
	return v, nil
}

func scalarJSON(tok json.Token) (json.RawMessage, error) {
	switch t := tok.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case bool:
		return json.RawMessage(strconv.FormatBool(t)), nil
	case json.Number:
		return json.RawMessage(t.String()), nil
	case string:
		return quote(t), nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// quote encodes s as a JSON string without HTML escaping, which would turn
// an operator's "<" into "\u003c" and show as a change that is not one.
func quote(s string) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// Compact returns v as compact JSON.
func (v *Value) Compact() []byte { return v.appendTo(nil, "", "") }

// Indent returns v as JSON indented by two spaces, ending in a newline, as
// the editor shows it.
func (v *Value) Indent() []byte { return append(v.appendTo(nil, "\n", "  "), '\n') }

func (v *Value) appendTo(dst []byte, nl, indent string) []byte {
	switch v.Kind {
	case Object:
		if len(v.Keys) == 0 {
			return append(dst, "{}"...)
		}
		dst = append(dst, '{')
		for i, k := range v.Keys {
			dst = sep(dst, i, nl+indent)
			dst = append(dst, quote(k)...)
			dst = append(dst, ':')
			if nl != "" {
				dst = append(dst, ' ')
			}
			dst = v.Fields[k].appendTo(dst, nl+indent, indent)
		}
		return append(append(dst, nl...), '}')
	case Array:
		if len(v.Items) == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		for i, it := range v.Items {
			dst = sep(dst, i, nl+indent)
			dst = it.appendTo(dst, nl+indent, indent)
		}
		return append(append(dst, nl...), ']')
	}
	return append(dst, v.Raw...)
}

func sep(dst []byte, i int, nl string) []byte {
	if i > 0 {
		dst = append(dst, ',')
	}
	return append(dst, nl...)
}

// Equal reports whether a and b are the same JSON, key order included.
func Equal(a, b *Value) bool { return bytes.Equal(a.Compact(), b.Compact()) }

// typeName names v's JSON type for messages.
func (v *Value) typeName() string {
	switch v.Kind {
	case Object:
		return "object"
	case Array:
		return "array"
	}
	switch c := v.Raw[0]; {
	case c == '"':
		return "string"
	case c == 'n':
		return "null"
	case c == 't' || c == 'f':
		return "boolean"
	}
	return "number"
}

// str returns a string scalar's value.
func (v *Value) str() (string, bool) {
	if v == nil || v.Kind != Scalar || v.Raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(v.Raw, &s); err != nil {
		return "", false
	}
	return s, true
}
