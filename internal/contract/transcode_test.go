package contract

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// referenceParse is ParseStoredEvent as it was before the one-pass reader:
// one Lookup per field.
func referenceParse(raw bson.Raw) (StoredEvent, error) {
	ev := StoredEvent{Raw: raw}
	if err := raw.Validate(); err != nil {
		return ev, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	if v, err := raw.LookupErr("_id"); err == nil {
		ev.ObjectID, _ = v.ObjectIDOK()
	}
	str := func(key string) (string, bool) {
		v, err := raw.LookupErr(key)
		if err != nil {
			return "", false
		}
		return v.StringValueOK()
	}
	var ok bool
	if ev.EventID, ok = str("event_id"); !ok || ev.EventID == "" {
		return ev, fmt.Errorf("%w: missing string event_id", ErrMalformedEvent)
	}
	if ev.EventType, ok = str("event_type"); !ok || ev.EventType == "" {
		return ev, fmt.Errorf("%w: event %s: missing string event_type", ErrMalformedEvent, ev.EventID)
	}
	ts, err := raw.LookupErr("timestamp")
	if err != nil || ts.Type != bson.TypeDateTime {
		return ev, fmt.Errorf("%w: event %s: timestamp is not a date", ErrMalformedEvent, ev.EventID)
	}
	ev.Timestamp = time.UnixMilli(ts.DateTime()).UTC()
	ev.AggregateID, _ = str("aggregate_id")
	return ev, nil
}

// outcome runs fn, turning a panic into a value, so that the transcoder
// and the reference encoder can be compared even where the driver's
// accessors panic.
func outcome(fn func() ([]byte, error)) string {
	var out []byte
	var err error
	panicked := func() (p any) {
		defer func() { p = recover() }()
		out, err = fn()
		return nil
	}()
	if panicked != nil {
		return fmt.Sprintf("panic: %v", panicked)
	}
	return fmt.Sprintf("%q %v", out, err)
}

func transcodeSamples(t testing.TB) []bson.Raw {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	dec, _ := bson.ParseDecimal128("12.5E-3")
	docs := []bson.D{
		{{Key: "_id", Value: bson.NewObjectID()}, {Key: "event_id", Value: "e-1"}, {Key: "event_type", Value: "t"},
			{Key: "timestamp", Value: ts}, {Key: "aggregate_id", Value: "a"}, {Key: "stored_at", Value: ts},
			{Key: "n", Value: bson.D{{Key: "x", Value: bson.A{int32(1), int64(2), 2.0, 2.5, math.Inf(1), true, nil, "s\"\\\n\x01é\xff"}}}},
			{Key: "b", Value: bson.Binary{Subtype: 0, Data: []byte("bin")}}, {Key: "o", Value: bson.NewObjectID()},
			{Key: "dec", Value: dec}, {Key: "re", Value: bson.Regex{Pattern: "p", Options: "i"}}, {Key: "u", Value: bson.Undefined{}},
			{Key: "ttl_expires_at", Value: ts}, {Key: "event_id", Value: "second"}},
		{{Key: "event_id", Value: int32(1)}, {Key: "event_type", Value: "t"}},
		{{Key: "event_id", Value: "x"}, {Key: "timestamp", Value: "not a date"}, {Key: "event_type", Value: "t"}},
		{},
	}
	var out []bson.Raw
	for _, d := range docs {
		b, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if data, err := os.ReadFile("../replay/testdata/encoding/input.bson"); err == nil {
		for len(data) > 4 {
			n := int(int32(uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16 | uint32(data[3])<<24))
			if n < 5 || n > len(data) {
				break
			}
			out, data = append(out, bson.Raw(data[:n])), data[n:]
		}
	}
	return out
}

// matchReference fails t unless AppendEventJSON (stored and replay time),
// RawToJSON and ParseStoredEvent give on v exactly what the reference
// implementations give: same bytes, same errors (a reference panic is an
// ErrMalformedEvent error, as unpanicked makes it).
func matchReference(t testing.TB, v bson.Raw, now time.Time) {
	t.Helper()
	for _, at := range []*time.Time{nil, &now} {
		got := outcome(func() ([]byte, error) { return AppendEventJSON([]byte("prefix"), v, at) })
		want := outcome(func() ([]byte, error) {
			return unpanicked([]byte("prefix"), func() ([]byte, error) { return appendEventJSONRef([]byte("prefix"), v, at) })
		})
		if got != want {
			t.Fatalf("AppendEventJSON(%x, %v):\n got %s\nwant %s", []byte(v), at, got, want)
		}
	}
	got := outcome(func() ([]byte, error) { return RawToJSON(v) })
	want := outcome(func() ([]byte, error) {
		return unpanicked(nil, func() ([]byte, error) { return appendDocument(nil, v, '{', '}', true) })
	})
	if got != want {
		t.Fatalf("RawToJSON(%x):\n got %s\nwant %s", []byte(v), got, want)
	}
	ev, err := ParseStoredEvent(v)
	rev, rerr := referenceParse(v)
	if !reflect.DeepEqual(ev, rev) || fmt.Sprint(err) != fmt.Sprint(rerr) {
		t.Fatalf("ParseStoredEvent(%x):\n got %+v, %v\nwant %+v, %v", []byte(v), ev, err, rev, rerr)
	}
	matchTwoWalks(t, v, AppendTime(nil, now))
}

// twoErrors prints a parse and an encoding error apart, so that each is
// compared with its own kind.
type twoErrors struct{ parse, encode error }

func (e twoErrors) Error() string { return fmt.Sprintf("parse: %v; encode: %v", e.parse, e.encode) }

// matchTwoWalks fails t unless ParseAndAppendEventJSON gives on v, for
// the stored timestamp and for replayTime, and with its strings allocated
// alone or from shared blocks, exactly what ParseStoredEvent then
// AppendEventJSONAt give: same event, errors, bytes and panics.
func matchTwoWalks(t testing.TB, v bson.Raw, replayTime []byte) {
	t.Helper()
	for i, at := range [][]byte{nil, replayTime} {
		strs := []*Strings{nil, {}}[i]
		var got, want StoredEvent
		gotOut := outcome(func() ([]byte, error) {
			ev, out, perr, eerr := ParseAndAppendEventJSON([]byte("prefix"), v, at, strs)
			got = ev
			return out, twoErrors{perr, eerr}
		})
		wantOut := outcome(func() ([]byte, error) {
			ev, err := ParseStoredEvent(v)
			if want = ev; err != nil {
				return []byte("prefix"), twoErrors{parse: err}
			}
			out, err := AppendEventJSONAt([]byte("prefix"), v, at)
			return out, twoErrors{encode: err}
		})
		// A panic (the reference encoder's, on what the driver cannot
		// read) leaves no event to compare.
		panicked := strings.HasPrefix(wantOut, "panic: ")
		if gotOut != wantOut || !panicked && !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseAndAppendEventJSON(%x, %q):\n got %+v %s\nwant %+v %s", []byte(v), at, got, gotOut, want, wantOut)
		}
	}
}

// The transcoder and the one-pass field reader must agree with the
// reference implementations on every document, valid or corrupted:
// same bytes, same errors (and the same panics).
func TestTranscoderMatchesReferenceOnValidAndCorruptDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Date(2030, 5, 6, 7, 8, 9, 10_000_000, time.UTC)
	checked := 0
	for _, doc := range transcodeSamples(t) {
		variants := []bson.Raw{doc, nil, doc[:len(doc)/2]}
		for range 300 {
			m := bytes.Clone(doc)
			for range 1 + r.IntN(3) {
				if len(m) > 0 {
					m[r.IntN(len(m))] = byte(r.IntN(256))
				}
			}
			variants = append(variants, m)
		}
		for _, v := range variants {
			matchReference(t, v, now)
			checked++
		}
	}
	t.Logf("%d documents compared", checked)
}

func TestAppendTimeMatchesTimeFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	times := []time.Time{
		{}, time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 12, 0, 0, 1_500_000, time.FixedZone("x", -7*3600)),
		time.UnixMilli(-62135596800000), time.UnixMilli(math.MaxInt64 / 1000),
	}
	for range 20000 {
		times = append(times, time.UnixMilli(r.Int64N(400_000_000_000_000)-100_000_000_000_000).Add(time.Duration(r.IntN(1e6))))
	}
	for _, tm := range times {
		got, want := string(AppendTime([]byte("x"), tm)), "x"+tm.UTC().Format(TimeFormat)
		if got != want {
			t.Fatalf("AppendTime(%v) = %q, want %q", tm, got, want)
		}
	}
}

// The reference encoder's driver accessors panic on a string whose
// declared length is 0 (no room for its terminator). The public encoders
// must report that as a malformed document, never panic: a replay's decoder
// has no recover, and a panic there would end the process.
func TestEncodersReportUnreadableBSONInsteadOfPanicking(t *testing.T) {
	doc := bson.Raw("S\x00\x00\x00\x02event_id\x00\x04\x00\x00\x00e-1\x00\x02event_type\x00\x12\x00\x00\x00execution_started\x00" +
		"\x09timestamp\x00{\xb4\xc5\xda\xb8\x01\x00\x00\x02x\x00\x00\x00\x00\x00\x00")
	if _, err := AppendEventJSON(nil, doc, nil); !errors.Is(err, ErrMalformedEvent) {
		t.Errorf("AppendEventJSON: %v, want ErrMalformedEvent", err)
	}
	if _, err := RawToJSON(doc); !errors.Is(err, ErrMalformedEvent) {
		t.Errorf("RawToJSON: %v, want ErrMalformedEvent", err)
	}
	_, out, perr, eerr := ParseAndAppendEventJSON([]byte("prefix"), doc, nil, nil)
	if perr != nil || !errors.Is(eerr, ErrMalformedEvent) || string(out) != "prefix" {
		t.Errorf("ParseAndAppendEventJSON: out %q, parse error %v, encoding error %v; want the document parsed and its encoding refused", out, perr, eerr)
	}
}
