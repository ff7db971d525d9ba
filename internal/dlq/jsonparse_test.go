package dlq

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestJSONParserStrings(t *testing.T) {
	cases := map[string]string{
		`"plain"`:                         "plain",
		`"q\"b\\s\/n\nt\tr\rb\bf\f"`:      "q\"b\\s/n\nt\tr\rb\bf\f",
		`"\u00e9t\u00E9"`:                 "été",
		`"\ud83d\ude00 smile"`:            "😀 smile",
		`"lone \ud83d surrogate"`:         "lone \uFFFD surrogate",
		"\"raw \xff byte\"":               "raw \uFFFD byte",
		`"日本語"`:                           "日本語",
		`""`:                              "",
		`"esc then invalid \n` + "\xfe\"": "esc then invalid \n\uFFFD",
	}
	for in, want := range cases {
		p := &jsonParser{s: []byte(in)}
		got, err := p.value(false, levelPlain)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestJSONParserRejects(t *testing.T) {
	for _, in := range []string{
		`{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":1e}`, `{"a":-}`, `{"a":tru}`,
		`{"a":"x`, `{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"tab\there\"}", `{"a":[1,]}`, `{"a":[1 2]}`, `{"a":1} x`,
	} {
		if _, err := decodeRecordJSON([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// The parser agrees with encoding/json on what each value is.
func TestJSONParserMatchesEncodingJSON(t *testing.T) {
	in := dlqRecord("e-1", "pod_failed", "t", 2, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "x \"quoted\" \u00e9")
	doc, err := decodeRecordJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	// Render back through the contract's JSON and compare as generic values.
	raw, err := bson.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal([]byte(bson.Raw(raw).String()), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if got["error"] != want["error"] || got["original_topic"] != want["original_topic"] ||
		!reflect.DeepEqual(got["headers"], want["headers"]) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}
