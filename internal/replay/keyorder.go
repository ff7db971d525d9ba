package replay

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// keyOrder keeps a replay's records of one key (per topic) in replay order
// on Kafka when some are rejected and retried. franz-go's idempotent
// producer keeps order through its own retries and never sends a record
// again once it reported it failed; only this package's retries of a
// rejected record could put it behind later records of its key. So a
// rejected record is retried only while no later record of its key was
// handed to the client, and later records of that key wait until it is
// delivered or given up on. A record with a later one of its key already
// sent fails instead: re-sending it would reorder the key.
//
// It runs on every record, and retries are rare, so the common path takes
// no lock: submit writes the record's key hash into a ring by sequence
// number and publishes the number; done does nothing. Only a retry looks
// back through the ring (for a later record with the key's hash) and
// takes the lock, and while any key has a retry, a held record or a drain,
// submit and done take it too. With a lock and a map update in both, the
// reader and the produce promises, on two cores, handed the lock back and
// forth for every record: about 0.8 µs per event of the engine's CPU.
//
// The look back relies on submit having one caller (the run's reader):
// a record's sequence number then tells which records were submitted
// after it, and a record submitted after a retry was allowed always finds
// its key active.
//
// The look back compares 64-bit hashes (maphash, seeded per process): two
// keys with one hash would make a retry refused, never the order broken,
// and among the records one retry looks back over (at most a run's
// maxSpan) that happens with odds of about 10⁻¹⁵.
type keyOrder struct {
	hash func(string) uint64 // set once; hashes topics and keys

	// submit's side: it has one caller at a time (the run's reader).
	ring      []uint64      // ring[seq&mask]: the key hash of record seq
	mask      uint64        // len(ring) - 1
	published atomic.Uint64 // the newest seq: ring is written up to it
	// active is len(keys), stored under mu: while it is 0 no key has a
	// retry, so submit holds nothing and done has nothing to release.
	active atomic.Int64

	mu   sync.Mutex
	keys map[exactKey]*keyQueue // keys with a retry, held records or a drain
	// heldSeqs are the records held behind a retry: in the ring, but not
	// handed to the client until their drain starts them.
	heldSeqs map[uint64]struct{}
}

// ringSize bounds how far back a retry can look. The caller must keep
// every record that can still be retried within maxSpan of the newest one
// submitted: runner.send does, since a record is retried only while it is
// uncommitted and the reader waits while maxSpan records are. The ring is
// twice that, for margin, and a power of two (the mask).
const ringSize = 2 * maxSpan

// A compile-time check that ringSize is a power of two.
const _ uint = -(ringSize & (ringSize - 1))

// orderKey is a record's key in its topic, as keyOrder keeps records of
// one key in order by.
type orderKey struct {
	topic, key string
	hash       uint64
}

type exactKey struct{ topic, key string }

func (k orderKey) exact() exactKey { return exactKey{k.topic, k.key} }

// keyQueue is a key's state while it has a retry, held records or a
// drain; a key without any has none.
type keyQueue struct {
	retrying uint64       // the record being retried; 0 when none
	held     []heldRecord // records waiting behind the retry, in order
	draining bool         // a goroutine is sending the held records
}

// orderTicket is a started record's place in its key: its sequence number
// in submit order.
type orderTicket struct {
	seq uint64
	key orderKey
}

// heldSend is a record waiting for its key: start sends it, abort gives
// up on it when the run stops.
type heldSend interface {
	start(t orderTicket)
	abort()
}

type heldRecord struct {
	send   heldSend
	ticket orderTicket
}

func newKeyOrder() *keyOrder {
	seed := maphash.MakeSeed()
	return newKeyOrderHash(func(s string) uint64 { return maphash.String(seed, s) })
}

// newKeyOrderHash is newKeyOrder with another hash, for tests of colliding
// keys.
func newKeyOrderHash(hash func(string) uint64) *keyOrder {
	return &keyOrder{
		hash: hash, ring: make([]uint64, ringSize), mask: ringSize - 1,
		keys: map[exactKey]*keyQueue{}, heldSeqs: map[uint64]struct{}{},
	}
}

// topicHash is the part of a key's hash owed to its topic, which a caller
// can compute once per topic.
func (o *keyOrder) topicHash(topic string) uint64 { return o.hash(topic) }

// key is the orderKey of key in topic, whose topicHash is th.
func (o *keyOrder) key(topic string, th uint64, key string) orderKey {
	// The multiplication keeps a topic and key of equal hashes from
	// cancelling out.
	return orderKey{topic: topic, key: key, hash: th*0x9e3779b97f4a7c15 ^ o.hash(key)}
}

// submit sends a record of key k now, or after the key's retry is
// resolved. It has one caller at a time.
//
// While no key has a retry, the record is published before active is read
// again, and a retry makes its key active before it reads what was
// published (mayRetry): so either the retry sees this record and is
// refused, or this record sees the retry and is held. Both may happen;
// neither sends it behind the retry. Once some key has a retry, records
// are published and decided under the lock, so that a retry never sees a
// record published but not yet held (it would be refused for a record
// that is about to wait for it).
func (o *keyOrder) submit(k orderKey, h heldSend) {
	t := orderTicket{seq: o.published.Load() + 1, key: k}
	if o.active.Load() != 0 {
		if !o.publishAndHold(t, h) {
			h.start(t)
		}
		return
	}
	o.publish(t)
	if o.active.Load() != 0 && o.hold(t, h) {
		return
	}
	h.start(t)
}

func (o *keyOrder) publish(t orderTicket) {
	o.ring[t.seq&o.mask] = t.key.hash
	o.published.Store(t.seq)
}

func (o *keyOrder) publishAndHold(t orderTicket, h heldSend) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.publish(t)
	return o.holdLocked(t, h)
}

// hold keeps h behind its key's retry or drain, if it has one.
func (o *keyOrder) hold(t orderTicket, h heldSend) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.holdLocked(t, h)
}

func (o *keyOrder) holdLocked(t orderTicket, h heldSend) bool {
	q := o.keys[t.key.exact()]
	if q == nil || (q.retrying == 0 && !q.draining) {
		return false
	}
	q.held = append(q.held, heldRecord{send: h, ticket: t})
	o.heldSeqs[t.seq] = struct{}{}
	return true
}

// mayRetry reports whether record t may be sent again: only when no later
// record of its key was handed to the client, delivered or not (a retry
// would land after it). Then later records of the key wait for it.
func (o *keyOrder) mayRetry(t orderTicket) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	ek := t.key.exact()
	q := o.keys[ek]
	if q == nil {
		q = &keyQueue{}
		o.keys[ek] = q
		o.active.Store(int64(len(o.keys))) // before the look back: see submit
	}
	if q.retrying == t.seq {
		// Retried before: its first retry saw every earlier-published
		// record of its key held, and every record published since found
		// the key active and its retry pending, and was held too.
		return true
	}
	if o.sentAfter(t) {
		o.dropIfUnused(ek, q)
		return false
	}
	q.retrying = t.seq
	return true
}

// sentAfter reports whether a record with t's key hash was handed to the
// client after t. One too far back to tell counts as yes: refusing a retry
// keeps the order.
func (o *keyOrder) sentAfter(t orderTicket) bool {
	last := o.published.Load()
	if last-t.seq >= uint64(len(o.ring))/2 {
		return true
	}
	for seq := t.seq + 1; seq <= last; seq++ {
		if o.ring[seq&o.mask] != t.key.hash {
			continue
		}
		if _, held := o.heldSeqs[seq]; !held {
			return true
		}
	}
	// The reader may have written on past what was read: if it came round
	// the ring meanwhile (impossible under runner.send's bound), what was
	// read cannot be trusted.
	return o.published.Load()-t.seq >= uint64(len(o.ring))
}

// done records that t was delivered or given up on. If it was being
// retried, the records held behind it are sent, in order, from their own
// goroutine: done runs on a produce promise, which must not block on the
// client. A record is done once; its ticket is not used again.
func (o *keyOrder) done(t orderTicket) {
	if o.active.Load() == 0 {
		return // no key has a retry: t had none (its own mayRetry made one active)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	ek := t.key.exact()
	q := o.keys[ek]
	if q == nil || q.retrying != t.seq {
		return
	}
	q.retrying = 0
	if len(q.held) > 0 && !q.draining {
		q.draining = true
		go o.drain(ek, q)
	}
	o.dropIfUnused(ek, q)
}

// drain sends the held records of q one by one until none is left or one
// of them is being retried again.
func (o *keyOrder) drain(ek exactKey, q *keyQueue) {
	for {
		o.mu.Lock()
		if q.retrying != 0 || len(q.held) == 0 {
			q.draining = false
			o.dropIfUnused(ek, q)
			o.mu.Unlock()
			return
		}
		h := q.held[0]
		q.held[0] = heldRecord{} // let the record go once it is done
		q.held = q.held[1:]
		delete(o.heldSeqs, h.ticket.seq)
		o.mu.Unlock()
		h.send.start(h.ticket)
	}
}

// dropIfUnused forgets q once its key has no retry, held record or drain.
func (o *keyOrder) dropIfUnused(ek exactKey, q *keyQueue) {
	if q.retrying != 0 || len(q.held) != 0 || q.draining {
		return
	}
	delete(o.keys, ek)
	o.active.Store(int64(len(o.keys)))
	if len(o.keys) == 0 {
		// A map keeps its peak size: a long retry of a busy key may have
		// held thousands of records.
		o.heldSeqs = map[uint64]struct{}{}
	}
}

// abort gives up on every held record (the run stopped).
func (o *keyOrder) abort() {
	o.mu.Lock()
	var held []heldRecord
	for ek, q := range o.keys {
		held = append(held, q.held...)
		q.held = nil
		o.dropIfUnused(ek, q)
	}
	clear(o.heldSeqs)
	o.mu.Unlock()
	for _, h := range held {
		h.send.abort()
	}
}
