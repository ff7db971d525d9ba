package replay

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

func decodeRunner(speed float64, now time.Time) *runner {
	return &runner{svc: &Service{Now: func() time.Time { return now }}, sess: &contract.Session{}, pace: newPacer(speed, 0)}
}

func marshalDoc(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An unpaced run parses and encodes in one walk; what it cannot replay
// keeps its kind (skipped as malformed, or failed to encode), and the
// message made for it goes back to the pool unsent.
func TestUnpacedDecoderEncodesInOneWalkAndGivesBackUnsentMessages(t *testing.T) {
	now := time.Date(2031, 2, 3, 4, 5, 6, 789_000_000, time.UTC)
	r := decodeRunner(0, now)
	decode := r.decoder()

	noType := marshalDoc(t, bson.D{{Key: "event_id", Value: "no-type"}, {Key: "timestamp", Value: now}})
	d := decode(noType)
	if !errors.Is(d.perr, contract.ErrMalformedEvent) || d.eerr != nil || d.m != nil || d.ev.EventID != "no-type" {
		t.Fatalf("document without event_type: perr %v eerr %v message %v event %+v", d.perr, d.eerr, d.m, d.ev)
	}
	if n := len(r.msgs.free); n != 1 {
		t.Fatalf("%d messages in the pool after a skipped document, want its message back", n)
	}

	// Valid at the top level, which is all parsing checks, but a nested
	// string runs past its document: the encoder's error, not the parser's.
	badNested := marshalDoc(t, bson.D{{Key: "event_id", Value: "e-1"}, {Key: "event_type", Value: "t"},
		{Key: "timestamp", Value: now}, {Key: "n", Value: bson.D{{Key: "k", Value: "v"}}}})
	badNested[bytes.Index(badNested, []byte("k\x00"))+2] = 0x7f
	d = decode(badNested)
	if d.perr != nil || d.eerr == nil || d.m != nil || d.ev.EventID != "e-1" {
		t.Fatalf("malformed nested document: perr %v eerr %v message %v event %+v", d.perr, d.eerr, d.m, d.ev)
	}
	if n := len(r.msgs.free); n != 1 {
		t.Fatalf("%d messages in the pool after an encoding error, want the one message back", n)
	}

	good := marshalDoc(t, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "event_id", Value: "e-2"},
		{Key: "event_type", Value: "t"}, {Key: "timestamp", Value: now.Add(-time.Hour)}, {Key: "aggregate_id", Value: "a"}})
	d = decode(good)
	if d.perr != nil || d.eerr != nil || d.m == nil {
		t.Fatalf("valid event: perr %v eerr %v message %v", d.perr, d.eerr, d.m)
	}
	want, err := contract.AppendEventJSONAt(nil, good, contract.AppendTime(nil, now))
	if err != nil {
		t.Fatal(err)
	}
	m := d.m
	if !bytes.Equal(m.value, want) || m.ev.Key() != "a" || m.ev.Raw != nil || !m.replayedAt.Equal(now) {
		t.Fatalf("message %q key %q raw kept %v replayed at %v; want %q, a, false, %v", m.value, m.ev.Key(), m.ev.Raw != nil, m.replayedAt, want, now)
	}
	if n := len(r.msgs.free); n != 0 {
		t.Fatalf("%d messages left in the pool, want the given-back one reused", n)
	}
}

// A paced run parses ahead but encodes at send time, after the pacer's
// wait, so that the value carries the time it is sent at.
func TestPacedDecoderParsesWithoutEncoding(t *testing.T) {
	now := time.Date(2031, 2, 3, 4, 5, 6, 789_000_000, time.UTC)
	r := decodeRunner(2, now)
	good := marshalDoc(t, bson.D{{Key: "event_id", Value: "e-1"}, {Key: "event_type", Value: "t"}, {Key: "timestamp", Value: now}})
	d := r.decoder()(good)
	if d.perr != nil || d.eerr != nil || d.m != nil || d.ev.EventID != "e-1" {
		t.Fatalf("paced decode: perr %v eerr %v message %v event %+v", d.perr, d.eerr, d.m, d.ev)
	}
}
