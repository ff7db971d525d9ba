package replay

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/testenv"
)

// sends records what keyOrder started, in order.
type sends struct {
	mu   sync.Mutex
	got  []string
	seqs map[string]uint64
}

// funcSend is a heldSend made of two funcs.
type funcSend struct {
	onStart func(seq uint64)
	onAbort func()
}

func (f funcSend) start(seq uint64) { f.onStart(seq) }
func (f funcSend) abort()           { f.onAbort() }

func (s *sends) send(name string) heldSend {
	return funcSend{
		onStart: func(seq uint64) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.got = append(s.got, name)
			s.seqs[name] = seq
		},
		onAbort: func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.got = append(s.got, "aborted "+name)
		},
	}
}

func (s *sends) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

func (s *sends) seq(name string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seqs[name]
}

func waitSends(t *testing.T, s *sends, want []string) {
	t.Helper()
	testenv.Eventually(t, 10*time.Second, func() bool { return slices.Equal(s.snapshot(), want) }, "sends %v", want)
}

func TestKeyOrderRetriesOnlyTheNewestAndHoldsLaterRecords(t *testing.T) {
	o := newKeyOrder[string]()
	s := &sends{seqs: map[string]uint64{}}
	o.submit("k", s.send("a"))
	o.submit("k", s.send("b"))
	o.submit("other", s.send("x"))
	if o.mayRetry("k", s.seq("a")) {
		t.Fatal("a may be retried although b of its key was sent after it")
	}
	o.done("k", s.seq("a")) // failed for good
	if !o.mayRetry("k", s.seq("b")) {
		t.Fatal("b, the newest of its key, may not be retried")
	}
	o.submit("k", s.send("c")) // held behind b's retry
	o.submit("other", s.send("y"))
	waitSends(t, s, []string{"a", "b", "x", "y"})
	o.done("k", s.seq("b")) // the retry was delivered: c goes
	waitSends(t, s, []string{"a", "b", "x", "y", "c"})
	o.submit("k", s.send("d"))
	waitSends(t, s, []string{"a", "b", "x", "y", "c", "d"})
}

func TestKeyOrderAbortGivesUpHeldRecords(t *testing.T) {
	o := newKeyOrder[string]()
	s := &sends{seqs: map[string]uint64{}}
	o.submit("k", s.send("a"))
	if !o.mayRetry("k", s.seq("a")) {
		t.Fatal("a may not be retried")
	}
	o.submit("k", s.send("b"))
	o.abort()
	waitSends(t, s, []string{"a", "aborted b"})
	o.done("k", s.seq("a"))
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.keys) != 0 {
		t.Fatalf("keys left after everything ended: %v", o.keys)
	}
}
