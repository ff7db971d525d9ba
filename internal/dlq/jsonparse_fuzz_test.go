package dlq

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// parseJSONValue parses one whole JSON value the way decodeRecordJSON
// parses a record, without the record's date conversion.
func parseJSONValue(data []byte) (any, error) {
	p := &jsonParser{s: data}
	v, err := p.value(false, levelPlain)
	if err != nil {
		return nil, err
	}
	if p.peek() != 0 {
		return nil, p.errorf("trailing data")
	}
	return v, nil
}

// canonical turns a parsed value into what encoding/json decodes into an
// `any`, so the two can be compared with reflect.DeepEqual:
//   - objects become maps, the last of duplicate keys winning, as in
//     encoding/json (the parser keeps every key, in order, because BSON
//     documents are ordered; what a reader sees is the same);
//   - int32 and int64 become float64: encoding/json has only float64, and
//     converting the integer rounds exactly as parsing its text does.
func canonical(v any) any {
	switch x := v.(type) {
	case bson.D:
		m := make(map[string]any, len(x))
		for _, e := range x {
			m[e.Key] = canonical(e.Value)
		}
		return m
	case bson.A:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canonical(e)
		}
		return out
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

// FuzzJSONParserMatchesEncodingJSON checks the DLQ record parser against
// encoding/json: the same accept/reject decision and, when both accept, the
// same value (see canonical for what "same" means).
//
// Intentional differences, skipped here and tested elsewhere:
//   - nesting beyond maxJSONDepth (100) is refused (errTooDeep), where
//     encoding/json allows 10000 levels;
//   - a key holding a NUL ("\u0000") is refused (errNULKey): BSON cannot
//     store it;
//   - nothing else: invalid UTF-8 and lone surrogates become U+FFFD per
//     byte and per escape as in encoding/json, numbers too large for a
//     float64 are refused by both, duplicate keys are kept in order (the
//     last wins for a map reader, as in encoding/json).
func FuzzJSONParserMatchesEncodingJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseJSONValue(data)
		if errors.Is(err, errNULKey) {
			if !bytes.Contains(data, []byte(`\u0000`)) {
				t.Fatalf("NUL key reported without a \\u0000 escape: %q", data)
			}
			return
		}
		if errors.Is(err, errTooDeep) {
			if maxNesting(data) <= maxJSONDepth {
				t.Fatalf("refused as too deep at nesting %d: %q", maxNesting(data), data)
			}
			return
		}
		var want any
		werr := json.Unmarshal(data, &want)
		if (err == nil) != (werr == nil) {
			t.Fatalf("accept differs on %q: parser %v, encoding/json %v", data, err, werr)
		}
		if err != nil {
			return
		}
		if c := canonical(got); !reflect.DeepEqual(c, want) {
			t.Fatalf("value differs on %q:\nparser        %#v\nencoding/json %#v", data, c, want)
		}
	})
}

// FuzzDecodeRecordJSON checks the record entry point: it never panics, it
// accepts exactly the JSON objects the plain parser accepts, every string
// it returns is valid UTF-8, and a record it accepts can be read by
// parseRecord without panicking, with whatever parseRecord accepts
// storable as BSON.
func FuzzDecodeRecordJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := decodeRecordJSON(data)
		plain, perr := parseJSONValue(data)
		_, isObject := plain.(bson.D)
		if (err == nil) != (perr == nil && isObject) {
			t.Fatalf("record accept %v, plain parse %v (object %v) on %q", err, perr, isObject, data)
		}
		if err != nil {
			return
		}
		checkUTF8(t, doc)
		in, err := parseRecord(&kgo.Record{Value: data})
		if err != nil {
			var inv *invalidError
			if !errors.As(err, &inv) {
				t.Fatalf("parseRecord returned %T %v, want an *invalidError", err, err)
			}
			return
		}
		if _, err := bson.Marshal(in.msg); err != nil {
			t.Fatalf("accepted record cannot be stored: %v (%q)", err, data)
		}
	})
}

func checkUTF8(t *testing.T, v any) {
	t.Helper()
	switch x := v.(type) {
	case bson.D:
		for _, e := range x {
			if !utf8.ValidString(e.Key) {
				t.Fatalf("invalid UTF-8 key %q", e.Key)
			}
			checkUTF8(t, e.Value)
		}
	case bson.A:
		for _, e := range x {
			checkUTF8(t, e)
		}
	case string:
		if !utf8.ValidString(x) {
			t.Fatalf("invalid UTF-8 string %q", x)
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("non-finite number %v", x)
		}
	}
}

// maxNesting is the deepest nesting of objects and arrays in JSON text,
// outside strings.
func maxNesting(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

var jsonSeeds = []string{
	`{}`, `[]`, `0`, `-0`, `1.5e3`, `"x"`, `true`, `null`, ` {"a" : [1, 2.5, "s", null, false, {"b": {}}]} `,
	`{"a":1,"a":2}`, `{"a":{"x":1},"a":[1]}`,
	`"\ud83d\ude00 \ud83d x \udc00 \u00e9 \/ \b\f\n\r\t"`, "\"\xff\xfe raw\"", "\"\xe2\x82\"", "{\"\xff\":1}",
	`12345678901234567890`, `-9223372036854775809`, `2147483648`, `1e400`, `-1e-400`, `1E+2`,
	`{"a":1,}`, `{"a" 1}`, `[1,]`, `01`, `1.`, `-`, `tru`, `nul`, `"\u12"`, `"\x"`, "\"tab\there\"", `{} x`, ``,
	strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
	strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
	`{"event":{"event_id":"e-1","event_type":"pod_failed","timestamp":"2026-11-29T10:00:00Z"},"original_topic":"pod_failed",` +
		`"error":"boom","retry_count":1,"failed_at":"2026-11-29T10:00:01.5Z","producer_id":"p","headers":{"k":"v"}}`,
	`{"event":{"event_id":"e-2","timestamp":1764410400},"original_topic":"t","failed_at":1764410400123,"headers":{"a\u0000b":"v"}}`,
}

func TestMaxNestingCountsOutsideStrings(t *testing.T) {
	if n := maxNesting([]byte(`[{"a":"[[[\"["},[[]]]`)); n != 3 {
		t.Errorf("maxNesting = %d, want 3", n)
	}
	if !bytes.Equal([]byte(jsonSeeds[0]), []byte("{}")) {
		t.Fatal("seed list changed shape")
	}
}
