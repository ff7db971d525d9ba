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
	mu      sync.Mutex
	got     []string
	tickets map[string]orderTicket
}

// funcSend is a heldSend made of two funcs.
type funcSend struct {
	onStart func(t orderTicket)
	onAbort func()
}

func (f funcSend) start(t orderTicket) { f.onStart(t) }
func (f funcSend) abort()              { f.onAbort() }

func (s *sends) send(name string) heldSend {
	return funcSend{
		onStart: func(t orderTicket) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.got = append(s.got, name)
			s.tickets[name] = t
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

func (s *sends) ticket(name string) orderTicket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tickets[name]
}

func newSends() *sends { return &sends{tickets: map[string]orderTicket{}} }

// testKey is key in the topic "t".
func testKey(o *keyOrder, key string) orderKey { return o.key("t", o.topicHash("t"), key) }

func waitSends(t *testing.T, s *sends, want []string) {
	t.Helper()
	testenv.Eventually(t, 10*time.Second, func() bool { return slices.Equal(s.snapshot(), want) }, "sends %v", want)
}

func TestKeyOrderRetriesOnlyTheNewestAndHoldsLaterRecords(t *testing.T) {
	o := newKeyOrder()
	s := newSends()
	o.submit(testKey(o, "k"), s.send("a"))
	o.submit(testKey(o, "k"), s.send("b"))
	o.submit(testKey(o, "other"), s.send("x"))
	if o.mayRetry(s.ticket("a")) {
		t.Fatal("a may be retried although b of its key was sent after it")
	}
	o.done(s.ticket("a")) // failed for good
	if !o.mayRetry(s.ticket("b")) {
		t.Fatal("b, the newest of its key, may not be retried")
	}
	o.submit(testKey(o, "k"), s.send("c")) // held behind b's retry
	o.submit(testKey(o, "other"), s.send("y"))
	waitSends(t, s, []string{"a", "b", "x", "y"})
	o.done(s.ticket("b")) // the retry was delivered: c goes
	waitSends(t, s, []string{"a", "b", "x", "y", "c"})
	o.submit(testKey(o, "k"), s.send("d"))
	waitSends(t, s, []string{"a", "b", "x", "y", "c", "d"})
}

func TestKeyOrderAbortGivesUpHeldRecords(t *testing.T) {
	o := newKeyOrder()
	s := newSends()
	o.submit(testKey(o, "k"), s.send("a"))
	if !o.mayRetry(s.ticket("a")) {
		t.Fatal("a may not be retried")
	}
	o.submit(testKey(o, "k"), s.send("b"))
	o.abort()
	waitSends(t, s, []string{"a", "aborted b"})
	o.done(s.ticket("a"))
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.keys) != 0 {
		t.Fatalf("keys left after everything ended: %v", o.keys)
	}
}
