package verify

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/integr8scode/replayctl/internal/uuid"
)

func TestKeyOfKeepsCanonicalUUIDsAndHashesTheRest(t *testing.T) {
	id := uuid.New()
	k, isUUID := keyOf(id)
	if !isUUID || formatUUID(k) != id {
		t.Fatalf("keyOf(%q) = %x, %v; want the UUID back", id, k, isUUID)
	}
	for _, other := range []string{"ev-1", "3F1C9A1E-4B7D-4C55-9F0E-1D2A3B4C5D6E", "3f1c9a1e4b7d4c559f0e1d2a3b4c5d6e", ""} {
		if _, isUUID := keyOf(other); isUUID {
			t.Errorf("keyOf(%q) took a non-canonical id for a UUID", other)
		}
	}
	a, _ := keyOf("ev-1")
	b, _ := keyOf("ev-2")
	if a == b {
		t.Fatal("two ids hash to one key")
	}
}

func TestIDSetFindsUUIDAndFallbackIDsAndNamesThem(t *testing.T) {
	ids := []string{uuid.New(), "ev-a", uuid.New(), "ev-b"}
	s := newIDSet(0)
	for _, id := range ids {
		s.add(id)
	}
	s.seal()
	for i, id := range ids {
		k, _ := keyOf(id)
		if got := s.find(k); got != i {
			t.Errorf("find(%q) = %d, want %d", id, got, i)
		}
		if got := s.name(k); got != id {
			t.Errorf("name of %q = %q", id, got)
		}
	}
	if k, _ := keyOf("ev-c"); s.find(k) != -1 {
		t.Error("found an id that was never added")
	}
}

// The expected set of 10 million UUIDs must stay within about 400 MB; the
// figure is logged (go test -run TestIDSetHeapFor10MillionIDs -v).
func TestIDSetHeapFor10MillionIDs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocates 10 million ids; run without -short and -race")
	}
	const n = 10_000_000
	before := heap()
	s := newIDSet(n)
	var b [16]byte
	for i := range n {
		b[0], b[1], b[2], b[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		s.keys = append(s.keys, key(b)) // add() would format and parse each UUID
	}
	s.seal()
	used := heap() - before
	t.Logf("10,000,000 ids: %d MB of heap (%.1f bytes per id)", used>>20, float64(used)/n)
	if used > 400<<20 {
		t.Fatalf("heap %d MB, want at most 400 MB", used>>20)
	}
	runtime.KeepAlive(s)
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func BenchmarkIDSetAddAndFind(b *testing.B) {
	ids := make([]string, 100_000)
	for i := range ids {
		ids[i] = uuid.New()
	}
	b.ResetTimer()
	for range b.N {
		s := newIDSet(len(ids))
		for _, id := range ids {
			s.add(id)
		}
		s.seal()
		t := newTally(s)
		for _, id := range ids {
			t.deliver(id)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/id")
}

func ExampleReport_Clean() {
	r := &Report{Missing: 0, Unexpected: 0, Duplicated: 3}
	fmt.Println(r.Clean())
	// Output: true
}
