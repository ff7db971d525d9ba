package replay

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/testenv"
)

// These tests aim at the lock-free path of keyOrder: a record published by
// the reader while a retry of its key is being decided on a promise.

// countSend counts starts and aborts, and keeps its ticket when asked to.
type countSend struct {
	started, aborted *atomic.Int64
	ticket           *orderTicket
}

func (c countSend) start(t orderTicket) {
	if c.ticket != nil {
		*c.ticket = t
	}
	c.started.Add(1)
}

func (c countSend) abort() { c.aborted.Add(1) }

// The reader has published a2 (its key's retry was not yet visible when
// it looked) and not yet decided to hold it when a1, which is being
// retried, is rejected again: a1 may be retried again, since a2 is about
// to wait behind it.
func TestKeyOrderRetriesARecordAgainWhileALaterOneIsBeingHeld(t *testing.T) {
	o := newKeyOrder()
	s := newSends()
	k := testKey(o, "k")
	submitRetrying(t, o, s, "k", "a1")
	a2 := orderTicket{seq: o.published.Load() + 1, key: k}
	o.publish(a2) // submit's first half
	if !o.mayRetry(s.ticket("a1")) {
		t.Error("a1's second retry was refused although a2, the only later record of its key, is about to be held behind it")
	}
	if !o.hold(a2, s.send("a2")) { // submit's second half
		t.Fatal("a2 was not held behind a1's retry")
	}
	o.done(s.ticket("a1"))
	waitSends(t, s, []string{"a1", "a2"})
	o.done(s.ticket("a2"))
	testenv.Eventually(t, 10*time.Second, func() bool { return o.keysKept() == 0 }, "every key forgotten")
}

// While a1 is being retried, the reader submits more records of its key
// (all held behind a1) and a1's retry is rejected again and again: every
// re-retry is allowed, and nothing of the key starts before a1 is done.
func TestKeyOrderNeverRefusesARetryForRecordsHeldBehindIt(t *testing.T) {
	o := newKeyOrder()
	var started, aborted atomic.Int64
	k := testKey(o, "k")
	var a1 orderTicket
	o.submit(k, countSend{&started, &aborted, &a1})
	if !o.mayRetry(a1) {
		t.Fatal("a1 may not be retried")
	}
	const n = 30000 // within maxSpan, the bound runner.send keeps
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range n {
			o.submit(k, countSend{&started, &aborted, nil})
		}
	}()
	refusals, asks := 0, 0
	for o.published.Load() != n+1 {
		asks++
		if !o.mayRetry(a1) {
			refusals++
		}
	}
	wg.Wait()
	if started.Load() != 1 {
		t.Fatalf("%d records started while a1 is retried, want 1", started.Load())
	}
	if refusals > 0 {
		t.Errorf("%d of %d re-retries of a1 refused, although every later record of its key is held", refusals, asks)
	}
	o.done(a1)
	testenv.Eventually(t, 10*time.Second, func() bool { return started.Load() == n+1 }, "held records drained")
	testenv.Eventually(t, 10*time.Second, func() bool { return o.keysKept() == 0 }, "every key forgotten")
}

// orderWatch is a heldSend that reports a record started while an earlier
// record of its key is being retried: a reorder.
type orderWatch struct {
	ch                   chan orderTicket
	maxStarted, retrying *atomic.Uint64
	reorders             *atomic.Int64
}

func (w orderWatch) start(t orderTicket) {
	for {
		m := w.maxStarted.Load()
		if t.seq <= m || w.maxStarted.CompareAndSwap(m, t.seq) {
			break
		}
	}
	if r := w.retrying.Load(); r != 0 && t.seq > r {
		w.reorders.Add(1)
	}
	w.ch <- t
}

func (w orderWatch) abort() {}

// One key, submitted as fast as the reader goes, with a random pause now
// and then; the promise asks to retry every record as soon as it starts.
// A record started behind a record being retried, or a retry allowed after
// a later record started, is a reorder. (It caught reading active before
// publishing in submit, in one round of five.)
func TestKeyOrderStartsNoRecordBehindARetryOfItsKey(t *testing.T) {
	const rounds, n = 4, 100000
	var spin atomic.Int64
	for round := range rounds {
		o := newKeyOrder()
		k := testKey(o, "k")
		var maxStarted, retrying atomic.Uint64
		var reorders atomic.Int64
		w := orderWatch{make(chan orderTicket, n+1), &maxStarted, &retrying, &reorders}
		go func() {
			x := uint32(round + 1)
			for range n {
				o.submit(k, w)
				x ^= x << 13
				x ^= x >> 17
				x ^= x << 5
				for range x % 64 {
					spin.Add(1)
				}
			}
		}()
		for range n {
			tk := <-w.ch
			if o.mayRetry(tk) {
				retrying.Store(tk.seq)
				if maxStarted.Load() > tk.seq {
					reorders.Add(1)
				}
				retrying.Store(0)
			}
			o.done(tk)
		}
		if reorders.Load() > 0 {
			t.Fatalf("round %d: %d records were started behind a retry of an earlier record of their key", round, reorders.Load())
		}
	}
}
