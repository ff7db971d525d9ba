package replay

import (
	"fmt"
	"math/rand/v2"
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
	submitRetrying(t, o, s, "k", "a")
	o.submit(testKey(o, "k"), s.send("b"))
	o.abort()
	waitSends(t, s, []string{"a", "aborted b"})
	o.done(s.ticket("a"))
	assertNoKeys(t, o)
}

// submitRetrying submits record name of key and asks to retry it at once,
// as a rejection would: nothing of its key was sent after it, so the retry
// must be allowed.
func submitRetrying(t *testing.T, o *keyOrder, s *sends, key, name string) {
	t.Helper()
	o.submit(testKey(o, key), s.send(name))
	if !o.mayRetry(s.ticket(name)) {
		t.Fatalf("%s may not be retried although nothing of its key was sent after it", name)
	}
}

// assertNoKeys fails unless every key was forgotten.
func assertNoKeys(t *testing.T, o *keyOrder) {
	t.Helper()
	if n := o.keysKept(); n != 0 {
		t.Fatalf("%d keys left after everything ended", n)
	}
}

// keysKept counts the keys keyOrder keeps state for and the records it
// holds; active must agree with the keys.
func (o *keyOrder) keysKept() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := o.active.Load(); n != int64(len(o.keys)) {
		panic(fmt.Sprintf("active %d, keys %d", n, len(o.keys)))
	}
	return len(o.keys) + len(o.heldSeqs)
}

// Retrying a record behind a later record of its key that was already
// delivered would put it after that one on the topic.
func TestKeyOrderDoesNotRetryARecordWhoseLaterRecordWasDelivered(t *testing.T) {
	o := newKeyOrder()
	s := newSends()
	o.submit(testKey(o, "k"), s.send("a"))
	o.submit(testKey(o, "k"), s.send("b"))
	o.done(s.ticket("b")) // delivered before a was answered
	if o.mayRetry(s.ticket("a")) {
		t.Fatal("a may be retried although b of its key was delivered after it was sent")
	}
	o.done(s.ticket("a"))
	assertNoKeys(t, o)
}

// A key is forgotten once its retry and drain end, and starts afresh: its
// next record may be retried, and holds the ones after it.
func TestKeyOrderForgetsAKeyOnceItsRetryEnds(t *testing.T) {
	o := newKeyOrder()
	s := newSends()
	submitRetrying(t, o, s, "a", "a1")
	o.submit(testKey(o, "a"), s.send("a2")) // held behind a1's retry
	o.done(s.ticket("a1"))
	waitSends(t, s, []string{"a1", "a2"}) // sent by the drain
	o.done(s.ticket("a2"))
	testenv.Eventually(t, 10*time.Second, func() bool { return o.keysKept() == 0 }, "key a forgotten")

	submitRetrying(t, o, s, "a", "a3")
	o.submit(testKey(o, "b"), s.send("b1")) // another key: not held
	o.submit(testKey(o, "a"), s.send("a4")) // held behind a3's retry
	if got := s.snapshot(); !slices.Equal(got, []string{"a1", "a2", "a3", "b1"}) {
		t.Fatalf("sent %v, want b1 sent and a4 held", got)
	}
	o.done(s.ticket("b1"))
	o.done(s.ticket("a3"))
	waitSends(t, s, []string{"a1", "a2", "a3", "b1", "a4"})
	o.done(s.ticket("a4"))
	testenv.Eventually(t, 10*time.Second, func() bool { return o.keysKept() == 0 }, "every key forgotten")
}

// Keys whose hashes collide are held apart (by the exact key), and a
// collision only refuses a retry: here every key hashes alike.
func TestKeyOrderCollidingHashesRefuseRetriesButHoldByTheExactKey(t *testing.T) {
	o := newKeyOrderHash(func(string) uint64 { return 42 })
	s := newSends()
	submitRetrying(t, o, s, "k1", "a1")
	o.submit(testKey(o, "k2"), s.send("b1")) // collides with k1: not held
	o.submit(testKey(o, "k1"), s.send("a2")) // held behind a1's retry
	if got := s.snapshot(); !slices.Equal(got, []string{"a1", "b1"}) {
		t.Fatalf("sent %v, want b1 sent and a2 held", got)
	}
	// The only later record with b1's hash (a2) is held, not handed to
	// the client: b1 may be retried.
	if !o.mayRetry(s.ticket("b1")) {
		t.Fatal("b1 may not be retried although the only later record of its hash is held")
	}
	o.done(s.ticket("a1"))
	waitSends(t, s, []string{"a1", "b1", "a2"})
	o.submit(testKey(o, "k3"), s.send("c1"))
	waitSends(t, s, []string{"a1", "b1", "a2", "c1"})
	// a2 is rejected after c1, of another key but the same hash, was
	// sent: the hashes cannot tell the keys apart, so it is refused.
	if o.mayRetry(s.ticket("a2")) {
		t.Fatal("a retry was allowed behind a later record of the same hash")
	}
	for _, r := range []string{"a2", "b1", "c1"} {
		o.done(s.ticket(r))
	}
	testenv.Eventually(t, 10*time.Second, func() bool { return o.keysKept() == 0 }, "every key forgotten")
}

// A drain refers to its key until it returns, even after every record it
// sent is done: a record of the key submitted meanwhile waits for it, and
// is sent after the records the drain holds.
func TestKeyOrderKeyOutlivesItsDrain(t *testing.T) {
	o := newKeyOrder()
	s := newSends()
	submitRetrying(t, o, s, "a", "a1")
	started := make(chan orderTicket, 1)
	release := make(chan struct{})
	o.submit(testKey(o, "a"), funcSend{
		onStart: func(tk orderTicket) { // on the drain's goroutine
			s.send("a2").start(tk)
			started <- tk
			<-release
		},
		onAbort: func() { t.Error("a2 aborted") },
	})
	o.done(s.ticket("a1"))
	var a2 orderTicket
	select {
	case a2 = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("a2 was not sent after a1's retry ended")
	}
	o.done(a2)                              // while the drain is still in a2's start
	o.submit(testKey(o, "a"), s.send("a3")) // held: the drain still runs
	if got := s.snapshot(); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Fatalf("sent %v, want a3 held while the drain runs", got)
	}
	close(release)
	waitSends(t, s, []string{"a1", "a2", "a3"})
	o.done(s.ticket("a3"))
	testenv.Eventually(t, 10*time.Second, func() bool { return o.keysKept() == 0 }, "every key forgotten")
}

// fifoBroker delivers what it is sent in the order it was sent, as a
// partition does; a retry is sent again, behind what was sent meanwhile.
type fifoBroker struct {
	mu   sync.Mutex
	sent []*stressRecord
	wake chan struct{}
}

type stressRecord struct {
	key      int
	n        int // the record's place among its key's records
	ticket   orderTicket
	rejected int
	broker   *fifoBroker
}

func (r *stressRecord) start(t orderTicket) {
	r.ticket = t
	r.broker.send(r)
}

func (r *stressRecord) abort() { panic("nothing aborts in this test") }

func (b *fifoBroker) send(r *stressRecord) {
	b.mu.Lock()
	b.sent = append(b.sent, r)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *fifoBroker) next() *stressRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.sent) == 0 {
		return nil
	}
	r := b.sent[0]
	b.sent = b.sent[1:]
	return r
}

// Under concurrent submits, rejections, retries and drains, each key's
// delivered records arrive in the order they were submitted, every record
// ends once, and every key is forgotten at the end.
// It runs with the real hash and with one under which keys collide often.
func TestKeyOrderKeepsEachKeyInOrderUnderRandomRejections(t *testing.T) {
	t.Run("maphash", func(t *testing.T) { stressKeyOrder(t, newKeyOrder()) })
	t.Run("colliding", func(t *testing.T) {
		stressKeyOrder(t, newKeyOrderHash(func(s string) uint64 { return uint64(len(s) % 3) }))
	})
}

func stressKeyOrder(t *testing.T, o *keyOrder) {
	const records, keys = 5000, 40
	b := &fifoBroker{wake: make(chan struct{}, 1)}
	delivered := make([][]int, keys)
	ended := 0
	finished := make(chan struct{})
	go func() { // the produce promises
		defer close(finished)
		rng := rand.New(rand.NewPCG(7, 11))
		for ended < records {
			r := b.next()
			if r == nil {
				<-b.wake
				continue
			}
			if r.rejected < 3 && rng.IntN(4) == 0 {
				if o.mayRetry(r.ticket) {
					r.rejected++
					b.send(r)
					continue
				}
				o.done(r.ticket) // failed: not retried
				ended++
				continue
			}
			delivered[r.key] = append(delivered[r.key], r.n)
			o.done(r.ticket)
			ended++
		}
	}()
	next := make([]int, keys)
	for i := range records {
		k := (i * 7) % keys
		if i%3 == 0 {
			k = 0 // one busy key
		}
		r := &stressRecord{key: k, n: next[k], broker: b}
		next[k]++
		o.submit(testKey(o, fmt.Sprint(k)), r)
	}
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		t.Fatal("not every record ended")
	}
	failed := records
	for k, ns := range delivered {
		failed -= len(ns)
		for i := 1; i < len(ns); i++ {
			if ns[i] <= ns[i-1] { // out of order, or delivered twice
				t.Errorf("key %d: record %d delivered after record %d", k, ns[i], ns[i-1])
				break
			}
		}
	}
	t.Logf("%d delivered, %d failed rather than reordered", records-failed, failed)
	testenv.Eventually(t, 10*time.Second, func() bool { return o.keysKept() == 0 }, "every key forgotten")
}
