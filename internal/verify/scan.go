package verify

import "bytes"

var eventIDKey = []byte("event_id")

// scanEventID finds the top-level "event_id" string of a JSON object
// without decoding it: the records replayctl produces are valid JSON, and a
// full decode of each costs several times more than reading the topic.
// sure is false when the scan cannot decide (an escaped id, a shape it does
// not expect); the caller then decodes the value properly. It does not
// validate the JSON.
func scanEventID(v []byte) (id string, ok, sure bool) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return "", false, false
	}
	depth, expectKey := 1, true
	for i++; i < len(v); i++ {
		switch c := v[i]; c {
		case '"':
			end, escaped := stringEnd(v, i)
			if end < 0 {
				return "", false, false
			}
			if depth == 1 && expectKey {
				expectKey = false
				if !escaped && bytes.Equal(v[i+1:end], eventIDKey) {
					return valueString(v, end+1)
				}
			}
			i = end
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return "", false, true // no event_id at the top level
			}
		case ',':
			if depth == 1 {
				expectKey = true
			}
		}
	}
	return "", false, false
}

// valueString reads the string value after a key that ends at i.
func valueString(v []byte, i int) (string, bool, bool) {
	i = skipSpace(v, i)
	if i >= len(v) || v[i] != ':' {
		return "", false, false
	}
	i = skipSpace(v, i+1)
	if i >= len(v) || v[i] != '"' {
		return "", false, false // not a string: let the decoder judge it
	}
	end, escaped := stringEnd(v, i)
	if end < 0 || escaped {
		return "", false, false
	}
	return string(v[i+1 : end]), end > i+1, true
}

// stringEnd returns the index of the quote closing the string opened at
// v[i], and whether it holds an escape; -1 if it is not closed.
func stringEnd(v []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(v); j++ {
		switch v[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j, escaped
		}
	}
	return -1, escaped
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
		i++
	}
	return i
}
