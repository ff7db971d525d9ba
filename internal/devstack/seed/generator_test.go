package seed

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func generate(seed uint64, flows int) []event {
	g := newGenerator(rand.New(rand.NewPCG(seed, seed)), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "")
	var out []event
	for range flows {
		evs, _ := g.nextFlow()
		out = append(out, evs...)
	}
	return out
}

// A fixed seed must give identical documents, so seeded demos and test data
// are reproducible.
func TestGeneratorIsDeterministic(t *testing.T) {
	a, b := generate(42, 50), generate(42, 50)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed produced different events")
	}
	if c := generate(43, 50); reflect.DeepEqual(a, c) {
		t.Fatal("different seeds produced the same events")
	}
}

func TestUUID4Format(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for range 1000 {
		u := uuid4(r)
		if len(u) != 36 || u[14] != '4' || !containsByte("89ab", u[19]) || u[8] != '-' || u[23] != '-' {
			t.Fatalf("bad UUID v4 %q", u)
		}
		if seen[u] {
			t.Fatalf("UUID %s repeated", u)
		}
		seen[u] = true
	}
}

func containsByte(s string, b byte) bool {
	for i := range len(s) {
		if s[i] == b {
			return true
		}
	}
	return false
}

// No generated event is dated after Now, nor any date in it that says
// when something happened (stored_at, read_at, ...; not an expiry or an
// estimate): a notification may be read hours after it was sent, so a flow
// that would run past Now is moved back whole. The documents are checked
// as they are stored, every date at any depth.
func TestGeneratorDatesNothingInTheFuture(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	evs := generate(7, 5000) // 72,000 events; 14 were in the future before
	for _, ev := range evs {
		if ev.ts.After(now) {
			t.Fatalf("%s %s dated %s, after now %s", ev.typ, ev.id, ev.ts, now)
		}
		raw, err := bson.Marshal(ev.doc)
		if err != nil {
			t.Fatal(err)
		}
		if key, late, ok := dateAfter(bson.Raw(raw), now); ok {
			t.Fatalf("%s %s: %s is %s, after now %s", ev.typ, ev.id, key, late, now)
		}
		if ts := ev.doc[3]; ts.Key != "timestamp" || !ts.Value.(time.Time).Equal(ev.ts) {
			t.Fatalf("%s %s: the document's timestamp %v is not the event's %s", ev.typ, ev.id, ts, ev.ts)
		}
	}
	// ...and moving a flow back did not move the history back: the latest
	// events are minutes old, not hours.
	latest := evs[0].ts
	for _, ev := range evs {
		if ev.ts.After(latest) {
			latest = ev.ts
		}
	}
	if age := now.Sub(latest); age > time.Hour {
		t.Fatalf("the latest event is %s old", age)
	}
}

// dateAfter finds a date after t anywhere in doc, but for expiries and
// estimates, which are about the future.
func dateAfter(doc bson.Raw, t time.Time) (string, time.Time, bool) {
	elems, _ := doc.Elements()
	for _, e := range elems {
		key, v := e.Key(), e.Value()
		switch v.Type {
		case bson.TypeDateTime:
			if strings.HasSuffix(key, "expires_at") || strings.HasPrefix(key, "estimated_") {
				continue
			}
			if d := time.UnixMilli(v.DateTime()).UTC(); d.After(t) {
				return key, d, true
			}
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			if k, d, ok := dateAfter(bson.Raw(v.Value), t); ok {
				return key + "." + k, d, true
			}
		}
	}
	return "", time.Time{}, false
}
