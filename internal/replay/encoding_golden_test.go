package replay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// The encoding golden files hold what the engine produced for
// testdata/encoding/input.bson before it was optimised (issue 11): every
// record's topic, key, value, timestamp and headers must stay byte for
// byte the same. -update-encoding rewrites them (and the input, from the
// seed generator and the odd documents below): only do that on purpose.
var updateEncoding = flag.Bool("update-encoding", false, "rewrite testdata/encoding from the current engine")

const encodingDir = "testdata/encoding"

// goldenNow is the engine's clock in the golden runs: records carry the
// replay time, so it must be fixed. It lies in the future so no lease of
// the run looks expired to anything that reads the real time.
var goldenNow = time.Date(2031, 2, 3, 4, 5, 6, 789_000_000, time.UTC)

func TestEncodingMatchesGolden(t *testing.T) {
	docs := goldenInput(t)
	for _, preserve := range []bool{false, true} {
		t.Run(fmt.Sprintf("preserve_timestamps=%v", preserve), func(t *testing.T) {
			got := goldenReplay(t, docs, preserve)
			path := filepath.Join(encodingDir, fmt.Sprintf("records_preserve_%v.jsonl", preserve))
			if *updateEncoding {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
				for i := range min(len(gl), len(wl)) {
					if !bytes.Equal(gl[i], wl[i]) {
						t.Fatalf("record %d differs from %s:\n got: %s\nwant: %s", i, path, gl[i], wl[i])
					}
				}
				t.Fatalf("got %d lines, %s has %d", len(gl), path, len(wl))
			}
		})
	}
}

// goldenRecord is one produced record as the golden files store it.
type goldenRecord struct {
	Topic     string      `json:"topic"`
	Key       string      `json:"key"`
	Value     string      `json:"value"`
	Timestamp string      `json:"timestamp"`
	Headers   [][2]string `json:"headers"`
}

// goldenReplay runs one session over docs, read from memory through
// Service.Events, to the test Kafka, and returns its records in the order
// of docs, one JSON line each. The session and replay ids, different on
// every run, are replaced by placeholders and the topic prefix is cut.
func goldenReplay(t *testing.T, docs []bson.Raw, preserve bool) []byte {
	e := newEnv(t)
	svc := e.service(NewOwner())
	svc.Now = func() time.Time { return goldenNow }
	svc.Events = memEvents(docs)
	sess := e.createStarted(svc, Spec{PreserveTimestamps: preserve, TopicMap: map[string]string{"user_updated": e.prefix + "mapped_users"}})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != int64(len(docs)) {
		t.Fatalf("run ended %s with %d of %d events replayed", res.Outcome, res.Session.ReplayedEvents, len(docs))
	}
	topics := []string{e.prefix + "mapped_users"}
	for _, d := range docs {
		ev, err := contract.ParseStoredEvent(d)
		if err != nil {
			t.Fatal(err)
		}
		if ev.EventType != "user_updated" && !slices.Contains(topics, e.prefix+ev.EventType) {
			topics = append(topics, e.prefix+ev.EventType)
		}
	}
	recs := consume(t, len(docs), topics...)
	if len(recs) != len(docs) {
		t.Fatalf("%d records for %d events", len(recs), len(docs))
	}
	byID := map[string]*kgo.Record{}
	for id, r := range eventIDsOf(t, recs) {
		byID[id] = r
	}
	var out bytes.Buffer
	for _, d := range docs {
		ev, _ := contract.ParseStoredEvent(d)
		r := byID[ev.EventID]
		if r == nil {
			t.Fatalf("no record of event %s", ev.EventID)
		}
		g := goldenRecord{
			Topic: r.Topic[len(e.prefix):], Key: exactText(r.Key), Value: exactText(r.Value),
			Timestamp: r.Timestamp.UTC().Format(time.RFC3339Nano),
		}
		for _, h := range r.Headers {
			v := exactText(h.Value)
			switch v {
			case sess.SessionID:
				v = "<session-id>"
			case sess.ReplayID:
				v = "<replay-id>"
			}
			g.Headers = append(g.Headers, [2]string{h.Key, v})
		}
		line, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// exactText keeps b byte for byte through JSON, which would replace
// invalid UTF-8: such bytes are stored in base64.
func exactText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return "base64:" + base64.StdEncoding.EncodeToString(b)
}

func eventIDsOf(t *testing.T, recs []*kgo.Record) map[string]*kgo.Record {
	out := map[string]*kgo.Record{}
	for _, r := range recs {
		var v struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("record value is not JSON: %v: %s", err, r.Value)
		}
		out[v.EventID] = r
	}
	return out
}

// goldenInput reads testdata/encoding/input.bson (with -update-encoding,
// writes it first: one stored event of every type the seed generator
// writes, then the odd documents).
func goldenInput(t *testing.T) []bson.Raw {
	path := filepath.Join(encodingDir, "input.bson")
	if *updateEncoding {
		docs := append(seededOfEveryType(t), oddEvents(t)...)
		if err := os.MkdirAll(encodingDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, bytes.Join(rawBytes(docs), nil), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.Raw
	for len(data) > 0 {
		doc, rest, err := readDoc(data)
		if err != nil {
			t.Fatal(err)
		}
		docs, data = append(docs, doc), rest
	}
	return docs
}

func readDoc(data []byte) (bson.Raw, []byte, error) {
	if len(data) < 5 {
		return nil, nil, io.ErrUnexpectedEOF
	}
	n := int(int32(uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16 | uint32(data[3])<<24))
	if n < 5 || n > len(data) {
		return nil, nil, fmt.Errorf("bad document length %d", n)
	}
	return bson.Raw(data[:n]), data[n:], nil
}

func rawBytes(docs []bson.Raw) [][]byte {
	out := make([][]byte, len(docs))
	for i, d := range docs {
		out[i] = d
	}
	return out
}

// seededOfEveryType seeds a database with the generator `replayctl dev
// --seed` uses and keeps the first stored event of each type.
func seededOfEveryType(t *testing.T) []bson.Raw {
	db := testenv.Database(t)
	ctx := ctxT(t, 2*time.Minute)
	if _, err := seed.Seed(ctx, db, seed.Options{
		Events: 3000, DLQMessages: -1, Rand: rand.New(rand.NewPCG(11, 11)), Now: goldenNow.Add(-24 * time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	cur, err := db.Collection("events").Find(ctx, bson.D{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	seen := map[string]bool{}
	var out []bson.Raw
	for cur.Next(ctx) {
		typ, _ := cur.Current.Lookup("event_type").StringValueOK()
		if !seen[typ] {
			seen[typ] = true
			out = append(out, append(bson.Raw(nil), cur.Current...))
		}
	}
	if err := cur.Err(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b bson.Raw) int {
		return bytes.Compare([]byte(a.Lookup("event_type").StringValue()), []byte(b.Lookup("event_type").StringValue()))
	})
	return out
}

// oddEvents are stored events the seed never writes: unknown types and
// payload fields, nesting, every BSON type the encoder handles, and
// strings that need escaping.
func oddEvents(t *testing.T) []bson.Raw {
	ts := time.Date(2026, 11, 20, 8, 0, 0, 123_000_000, time.UTC)
	oid, _ := bson.ObjectIDFromHex("65a1b2c3d4e5f60718293a4b")
	dec, _ := bson.ParseDecimal128("-1234.5678E-3")
	base := func(n int, typ string) bson.D {
		return bson.D{
			{Key: "_id", Value: bson.NewObjectIDFromTimestamp(ts.Add(time.Duration(n) * time.Second))},
			{Key: "event_id", Value: fmt.Sprintf("0000000%d-odd0-4000-8000-000000000000", n)},
			{Key: "event_type", Value: typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: ts.Add(time.Duration(n) * time.Second)},
		}
	}
	docs := []bson.D{
		append(base(1, "totally_unknown_type"), bson.E{Key: "aggregate_id", Value: "agg-1"},
			bson.E{Key: "brand_new_field", Value: "x"}, bson.E{Key: "stored_at", Value: ts}, bson.E{Key: "ttl_expires_at", Value: ts}),
		append(base(2, "execution_completed"), bson.E{Key: "aggregate_id", Value: nil},
			bson.E{Key: "nested", Value: bson.D{{Key: "a", Value: bson.D{{Key: "b", Value: bson.A{int32(1), bson.D{{Key: "c", Value: bson.A{}}}, bson.A{"x", bson.A{}}}}}}, {Key: "empty", Value: bson.D{}}}},
			bson.E{Key: "list", Value: bson.A{"one", int64(2), 3.5, true, nil, bson.D{{Key: "k", Value: "v"}}}}),
		append(base(3, "execution_failed"),
			bson.E{Key: "i32", Value: int32(-2147483648)}, bson.E{Key: "i64", Value: int64(9223372036854775807)},
			bson.E{Key: "d_whole", Value: 1.0}, bson.E{Key: "d_neg_zero", Value: math.Copysign(0, -1)}, bson.E{Key: "d_frac", Value: -0.000123},
			bson.E{Key: "d_big", Value: 1e21}, bson.E{Key: "d_whole_big", Value: 1e15}, bson.E{Key: "d_nan", Value: math.NaN()}, bson.E{Key: "d_inf", Value: math.Inf(-1)},
			bson.E{Key: "dec", Value: dec}, bson.E{Key: "when", Value: bson.DateTime(-62135596800000)}, bson.E{Key: "when2", Value: ts.Add(999 * time.Hour)},
			bson.E{Key: "oid", Value: oid}, bson.E{Key: "bin", Value: bson.Binary{Subtype: 0, Data: []byte{0, 1, 2, 250, 255}}},
			bson.E{Key: "uuid_bin", Value: bson.Binary{Subtype: 4, Data: bytes.Repeat([]byte{0xab}, 16)}},
			bson.E{Key: "null", Value: nil}, bson.E{Key: "t", Value: true}, bson.E{Key: "f", Value: false},
			bson.E{Key: "undef", Value: bson.Undefined{}}, bson.E{Key: "regex", Value: bson.Regex{Pattern: "a.*b", Options: "i"}},
			bson.E{Key: "bts", Value: bson.Timestamp{T: 1700000000, I: 7}}, bson.E{Key: "js", Value: bson.JavaScript("f()")},
			bson.E{Key: "min", Value: bson.MinKey{}}, bson.E{Key: "max", Value: bson.MaxKey{}}),
		append(base(4, "user_updated"), bson.E{Key: "aggregate_id", Value: "ünï/çødé \"quoted\" \\ back"},
			bson.E{Key: "unicode", Value: "日本語 🚀 ñ \u2028 \u2029"}, bson.E{Key: "escapes", Value: "q\" b\\ n\n r\r t\t nul\x00 bell\x07 esc\x1b del\x7f </script>&"},
			bson.E{Key: "bad_utf8", Value: "a\xffb\xc3"}, bson.E{Key: "key with \"quote\" and \n", Value: "v"}, bson.E{Key: "", Value: "empty key"}),
		append(base(5, "pod_created"), bson.E{Key: "aggregate_id", Value: ""}, bson.E{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "x"}, {Key: "correlation_id", Value: nil}}}),
		{
			{Key: "_id", Value: bson.NewObjectIDFromTimestamp(ts.Add(6 * time.Second))},
			{Key: "timestamp", Value: ts.Add(6 * time.Second)}, {Key: "stored_at", Value: ts},
			{Key: "event_type", Value: "Field_Order_Differs"}, {Key: "event_id", Value: "00000006-odd0-4000-8000-000000000000"},
			{Key: "aggregate_id", Value: int32(42)}, {Key: "payload", Value: bson.D{{Key: "timestamp", Value: ts}}},
		},
	}
	out := make([]bson.Raw, len(docs))
	for i, d := range docs {
		b, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// memEvents serves docs, in the given order, as the event store would.
type memEvents []bson.Raw

func (m memEvents) Stream(context.Context, contract.Filter, store.Bound, *contract.Checkpoint, int32) (EventStream, error) {
	return &memEventStream{docs: m}, nil
}

type memEventStream struct{ docs []bson.Raw }

func (s *memEventStream) NextBatch(context.Context) ([]bson.Raw, error) {
	if len(s.docs) == 0 {
		return nil, io.EOF
	}
	d := s.docs
	s.docs = nil
	return d, nil
}

func (s *memEventStream) Close(context.Context) error { return nil }
