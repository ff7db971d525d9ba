package contract

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Strings handed out earlier keep their text while later ones fill the
// same block and the next, and text too long for a block is served alone.
func TestStringsKeepEveryStringAcrossBlocks(t *testing.T) {
	var s Strings
	long := strings.Repeat("x", stringsBlock)
	type want struct{ got, text string }
	var all []want
	for i := range 1000 {
		a, b := fmt.Sprintf("event-%04d", i), fmt.Sprintf("type-%d", i%7)
		text := a + b
		if i%250 == 0 {
			text += long
			b += long
		}
		all = append(all, want{s.concat([]byte(a), []byte(b)), text})
	}
	for i, w := range all {
		if w.got != w.text {
			t.Fatalf("string %d is %.40q later, want %.40q", i, w.got, w.text)
		}
	}
	if got := s.concat(); got != "" {
		t.Fatalf("concat of nothing = %q", got)
	}
	var none *Strings
	if got := none.concat([]byte("a"), []byte("b")); got != "ab" {
		t.Fatalf("nil Strings: %q", got)
	}
}

// Parsing with shared blocks takes no allocation per event: the blocks
// are the only allocations, about one per 150 events of the seeded kind.
func TestParseAndAppendWithStringsAllocatesPerBlockNotPerEvent(t *testing.T) {
	doc, err := bson.Marshal(bson.D{{Key: "_id", Value: bson.NewObjectID()},
		{Key: "event_id", Value: "0b7e4c9a-5f7d-4c1e-9a51-6f2b8d0c1e23"}, {Key: "event_type", Value: "execution_requested"},
		{Key: "timestamp", Value: time.Now()}, {Key: "aggregate_id", Value: "5b0f6e7c-1d2e-4f3a-8b9c-0d1e2f3a4b5c"},
		{Key: "payload", Value: bson.D{{Key: "k", Value: "v"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var s Strings
	buf := make([]byte, 0, 1024)
	allocs := testing.AllocsPerRun(1000, func() {
		_, out, perr, eerr := ParseAndAppendEventJSON(buf[:0], doc, nil, &s)
		if perr != nil || eerr != nil || len(out) == 0 {
			t.Fatal(perr, eerr)
		}
	})
	if allocs > 0.05 {
		t.Fatalf("%.3f allocations per event with shared blocks, want about 1/150", allocs)
	}
	if n := testing.AllocsPerRun(100, func() { _, _, _, _ = ParseAndAppendEventJSON(buf[:0], doc, nil, nil) }); n != 1 {
		t.Fatalf("%.1f allocations per event without shared blocks, want 1 (the event's strings)", n)
	}
}
