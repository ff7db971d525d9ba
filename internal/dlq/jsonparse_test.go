package dlq

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
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
		"{\"a\":1}\x00", "{}\x00", " \x00", "\x00{}",
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

// deepRecord is a valid DLQ record whose event payload nests so that the
// whole record is depth levels deep (the record itself is level 1).
func deepRecord(depth int) []byte {
	n := depth - 2 // the record and its event
	return []byte(`{"event":{"event_id":"e-deep","event_type":"pod_failed","payload":` +
		strings.Repeat("[", n) + strings.Repeat("]", n) + `},"original_topic":"pod_failed","error":"x","retry_count":0,"failed_at":"2026-11-29T10:00:00Z","producer_id":"p"}`)
}

func TestJSONParserNestingLimit(t *testing.T) {
	if _, err := decodeRecordJSON(deepRecord(maxJSONDepth)); err != nil {
		t.Fatalf("a record %d levels deep was refused: %v", maxJSONDepth, err)
	}
	_, err := decodeRecordJSON(deepRecord(maxJSONDepth + 1))
	if !errors.Is(err, errTooDeep) {
		t.Fatalf("a record %d levels deep: err = %v, want errTooDeep", maxJSONDepth+1, err)
	}
	// Hostile depth is refused without recursing through it.
	if _, err := decodeRecordJSON([]byte(strings.Repeat(`{"a":`, 1_000_000))); !errors.Is(err, errTooDeep) {
		t.Fatalf("a million levels: err = %v, want errTooDeep", err)
	}
}

// A record nested too deeply goes to quarantine (dlq_invalid) with a reason
// that says why, instead of failing its batch at MongoDB's insert.
func TestDeepRecordIsQuarantinedWithItsReason(t *testing.T) {
	if _, err := parseRecord(&kgo.Record{Value: deepRecord(maxJSONDepth)}); err != nil {
		t.Fatalf("record at the limit: %v", err)
	}
	_, err := parseRecord(&kgo.Record{Value: deepRecord(maxJSONDepth + 1)})
	var inv *invalidError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %T %v, want an *invalidError (quarantine)", err, err)
	}
	if !strings.Contains(inv.reason, "nest deeper than 100 levels, MongoDB's limit for a stored document") {
		t.Errorf("quarantine reason = %q", inv.reason)
	}
}

func TestNULKeyIsQuarantinedWithItsReason(t *testing.T) {
	rec := `{"event":{"event_id":"e-1"},"original_topic":"t","headers":{"a\u0000b":"v"}}`
	_, err := parseRecord(&kgo.Record{Value: []byte(rec)})
	var inv *invalidError
	if !errors.As(err, &inv) || !strings.Contains(inv.reason, "a BSON key cannot hold") {
		t.Fatalf("err = %v, want quarantine naming the NUL key", err)
	}
}

func TestJSONParserReplacesEachInvalidByte(t *testing.T) {
	p := &jsonParser{s: []byte("\"a\xff\xfeb\xe2\x82\"")}
	if got, err := p.value(false, levelPlain); err != nil || got != "a\uFFFD\uFFFDb\uFFFD\uFFFD" {
		t.Errorf("got %q, %v", got, err)
	}
}

// Through ingestion: a record nested too deeply and one with a NUL key go
// to dlq_invalid with their reasons, and the valid record beside them in
// the same batch is stored.
func TestProcessQuarantinesDeepAndNULKeyRecords(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc-deep")
	now, clock := fixedClock()
	m.Now = clock
	e.produce(
		string(deepRecord(maxJSONDepth+1)),
		`{"event":{"event_id":"nul-key"},"original_topic":"t","headers":{"a\u0000b":"v"}}`,
		dlqRecord("ok-1", "user_login", e.topic("user_login"), 0, now.Add(-time.Minute), "boom"),
	)
	stats, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Quarantined != 2 || stats.Received != 1 {
		t.Errorf("stats = %+v, want 2 quarantined and 1 received", stats)
	}
	inv, err := m.ListInvalid(ctxT(t), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var deep, nul bool
	for _, r := range inv.Items {
		deep = deep || strings.Contains(r.Reason, "nest deeper than 100 levels")
		nul = nul || strings.Contains(r.Reason, "a BSON key cannot hold")
	}
	if !deep || !nul {
		t.Errorf("quarantine reasons %+v: want the nesting and the NUL key", inv)
	}
	if msg := e.loadMsg("ok-1"); msg.Event == nil {
		t.Errorf("the valid record was not stored: %+v", msg)
	}
}
