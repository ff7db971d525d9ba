package dlq

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestDecodeRecordJSONTypes(t *testing.T) {
	in := `{"event":{"event_id":"e1","timestamp":"2025-03-01T12:00:00.123456+00:00","stored_at":"2025-03-01T12:00:01Z",
	"small":7,"big":4294967296,"neg":-2147483649,"float":1.0,"exp":1e3,"huge":123456789012345678901234567890,
	"when":"2025-03-01T12:00:00Z","nested":{"timestamp":"2025-03-01T12:00:00Z","list":[1,"a",null,true,{"k":2.5}]}},
	"failed_at":"2025-03-01T12:00:02.5","retry_count":2,"error":"x","headers":{"a":"b"}}`
	doc, err := decodeRecordJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if doc[0].Key != "event" || doc[1].Key != "failed_at" || doc[len(doc)-1].Key != "headers" {
		t.Errorf("key order lost: %v", doc)
	}
	ev := doc[0].Value.(bson.D)
	get := func(d bson.D, k string) any {
		for _, e := range d {
			if e.Key == k {
				return e.Value
			}
		}
		t.Fatalf("no %s in %v", k, d)
		return nil
	}
	want := map[string]any{
		"timestamp": bson.NewDateTimeFromTime(time.Date(2025, 3, 1, 12, 0, 0, 123e6, time.UTC)),
		"stored_at": bson.NewDateTimeFromTime(time.Date(2025, 3, 1, 12, 0, 1, 0, time.UTC)),
		"small":     int32(7), "big": int64(4294967296), "neg": int64(-2147483649),
		"float": 1.0, "exp": 1000.0,
		"when": "2025-03-01T12:00:00Z", // not a known date field: stays a string
	}
	for k, v := range want {
		if got := get(ev, k); got != v {
			t.Errorf("event.%s = %#v (%T), want %#v (%T)", k, got, got, v, v)
		}
	}
	if f, ok := get(ev, "huge").(float64); !ok || math.Abs(f-1.2345678901234568e29) > 1e15 {
		t.Errorf("huge = %#v", get(ev, "huge"))
	}
	nested := get(ev, "nested").(bson.D)
	if _, ok := get(nested, "timestamp").(string); !ok {
		t.Error("date fields convert only at the event's top level")
	}
	list := get(nested, "list").(bson.A)
	if len(list) != 5 || list[0] != int32(1) || list[1] != "a" || list[2] != nil || list[3] != true || get(list[4].(bson.D), "k") != 2.5 {
		t.Errorf("list = %#v", list)
	}
	if got := get(doc, "failed_at"); got != bson.NewDateTimeFromTime(time.Date(2025, 3, 1, 12, 0, 2, 500e6, time.UTC)) {
		t.Errorf("naive failed_at = %v, want UTC", got)
	}
}

func TestDecodeRecordJSONEpochDates(t *testing.T) {
	doc, err := decodeRecordJSON([]byte(`{"failed_at":1740830400,"created_at":1740830400500}`))
	if err != nil {
		t.Fatal(err)
	}
	if doc[0].Value != bson.DateTime(1740830400000) || doc[1].Value != bson.DateTime(1740830400500) {
		t.Errorf("epoch dates = %v", doc)
	}
}

func TestDecodeRecordJSONRejects(t *testing.T) {
	for _, in := range []string{``, `{`, `[1]`, `"x"`, `{"a":1} {"b":2}`, `{"a":}`, `not json`} {
		if _, err := decodeRecordJSON([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func rec(value string) *kgo.Record {
	return &kgo.Record{Topic: "dlq", Partition: 1, Offset: 42, Value: []byte(value),
		Timestamp: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("v")}}}
}

func TestParseRecordQuarantineReasons(t *testing.T) {
	cases := map[string]string{
		`{oops`:                            "not valid JSON",
		`[]`:                               "not a JSON object",
		`{"original_topic":"t"}`:           "missing event",
		`{"event":3,"original_topic":"t"}`: "event is not an object",
		`{"event":{"event_type":"x"},"original_topic":"t"}`:                  "missing event.event_id",
		`{"event":{"event_id":""},"original_topic":"t"}`:                     "missing event.event_id",
		`{"event":{"event_id":"e"}}`:                                         "missing original_topic",
		`{"event":{"event_id":"e"},"original_topic":"t","retry_count":"2"}`:  "retry_count is not an integer",
		`{"event":{"event_id":"e"},"original_topic":"t","retry_count":-1}`:   "retry_count is negative",
		`{"event":{"event_id":"e"},"original_topic":"t","failed_at":"soon"}`: "failed_at is not a date",
		`{"event":{"event_id":"e"},"original_topic":"t","error":{"a":1}}`:    "error is not a string",
	}
	for in, reason := range cases {
		_, err := parseRecord(rec(in))
		if err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: err %v, want %q", in, err, reason)
		}
	}
}

func TestParseRecordDefaultsAndHeaders(t *testing.T) {
	in, err := parseRecord(rec(`{"event":{"event_id":"e","event_type":"pod_failed"},"original_topic":"t","retry_count":2.0}`))
	if err != nil {
		t.Fatal(err)
	}
	m := in.msg
	if m.EventID() != "e" || m.EventType() != "pod_failed" || m.RetryCount != 2 || m.Error != "Unknown error" || m.ProducerID != "unknown" || !m.FailedAt.Equal(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("msg = %+v", m)
	}
	if m.Headers["h"] != "v" {
		t.Errorf("record headers not used: %v", m.Headers)
	}
	in, err = parseRecord(rec(`{"event":{"event_id":"e"},"original_topic":"t","headers":{"x":"y","n":3}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.msg.Headers) != 2 || in.msg.Headers["x"] != "y" || in.msg.Headers["n"] != "3" {
		t.Errorf("value headers win: %v", in.msg.Headers)
	}
}
