package contract

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Strings handed out earlier keep their text while later ones fill their
// block and many more after it, and text too long for a block is served
// alone.
func TestStringsKeepEveryStringAcrossBlocks(t *testing.T) {
	var s Strings
	long := strings.Repeat("x", stringsBlock)
	type want struct{ got, text string }
	var all []want
	blocks, size := 0, 0
	for i := range 5000 {
		a, b := fmt.Sprintf("event-%04d", i), fmt.Sprintf("type-%d", i%7)
		if i%1000 == 0 {
			b += long
		}
		if n := len(a) + len(b); n <= stringsBlock/4 {
			if size+n > stringsBlock {
				blocks, size = blocks+1, 0
			}
			size += n
		}
		all = append(all, want{s.concat([]byte(a), []byte(b)), a + b})
	}
	if blocks < 3 {
		t.Fatalf("the test fills %d blocks after the first, want several", blocks)
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

// Another goroutine may read the strings while their block keeps being
// filled (run with -race).
func TestStringsAreReadableWhileTheirBlockFills(t *testing.T) {
	var s Strings
	ch := make(chan [2]string, 64)
	go func() {
		defer close(ch)
		for i := range 20000 {
			text := fmt.Sprintf("event-%d", i)
			ch <- [2]string{s.concat([]byte(text)), text}
		}
	}()
	var kept [][2]string
	for p := range ch {
		kept = append(kept, p)
		if k := kept[len(kept)/2]; k[0] != k[1] {
			t.Fatalf("a string changed while its block filled: %q, want %q", k[0], k[1])
		}
	}
	for _, k := range kept {
		if k[0] != k[1] {
			t.Fatalf("a string changed: %q, want %q", k[0], k[1])
		}
	}
}

// Every event parsed with one shared Strings, across many blocks, keeps
// the strings the per-event parser gives it.
func TestParseAndAppendWithSharedStringsMatchesTheParser(t *testing.T) {
	docs := transcodeSamples(t)
	var s Strings
	type kept struct {
		got  StoredEvent
		want StoredEvent
	}
	var all []kept
	for range 200 {
		for _, d := range docs {
			ev, _, perr, eerr := ParseAndAppendEventJSON(nil, d, nil, &s)
			if perr != nil || eerr != nil {
				continue
			}
			want, err := ParseStoredEvent(d)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, kept{ev, want})
		}
	}
	if len(all) < 1000 {
		t.Fatalf("only %d events parsed", len(all))
	}
	for i, k := range all {
		if k.got.EventID != k.want.EventID || k.got.EventType != k.want.EventType || k.got.AggregateID != k.want.AggregateID {
			t.Fatalf("event %d kept %q %q %q, want %q %q %q", i, k.got.EventID, k.got.EventType, k.got.AggregateID,
				k.want.EventID, k.want.EventType, k.want.AggregateID)
		}
	}
}

// Parsing with shared blocks allocates per block, not per event.
func TestParseAndAppendWithStringsAllocatesPerBlockNotPerEvent(t *testing.T) {
	doc, err := bson.Marshal(bson.D{{Key: "_id", Value: bson.NewObjectID()},
		{Key: "event_id", Value: "0b7e4c9a-5f7d-4c1e-9a51-6f2b8d0c1e23"}, {Key: "event_type", Value: "execution_requested"},
		{Key: "timestamp", Value: time.Now()}, {Key: "aggregate_id", Value: "5b0f6e7c-1d2e-4f3a-8b9c-0d1e2f3a4b5c"},
		{Key: "payload", Value: bson.D{{Key: "k", Value: "v"}}}})
	if err != nil {
		t.Fatal(err)
	}
	const events = 3000
	perEvent := len("0b7e4c9a-5f7d-4c1e-9a51-6f2b8d0c1e23execution_requested5b0f6e7c-1d2e-4f3a-8b9c-0d1e2f3a4b5c")
	wantMax := events*perEvent/stringsBlock + 2
	var s Strings
	buf := make([]byte, 0, 1024)
	allocs := testing.AllocsPerRun(5, func() {
		for range events {
			_, out, perr, eerr := ParseAndAppendEventJSON(buf[:0], doc, nil, &s)
			if perr != nil || eerr != nil || len(out) == 0 {
				t.Fatal(perr, eerr)
			}
		}
	})
	if allocs > float64(wantMax) {
		t.Fatalf("%.0f allocations for %d events with shared blocks, want at most %d (one per block)", allocs, events, wantMax)
	}
	if n := testing.AllocsPerRun(100, func() { _, _, _, _ = ParseAndAppendEventJSON(buf[:0], doc, nil, nil) }); n != 1 {
		t.Fatalf("%.1f allocations per event without shared blocks, want 1 (the event's strings)", n)
	}
}
