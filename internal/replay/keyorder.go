package replay

import (
	"hash/maphash"
	"sync"
)

// keyOrder keeps a replay's records of one key (per topic) in replay order
// on Kafka when some are rejected and retried. franz-go's idempotent
// producer keeps order through its own retries and never sends a record
// again once it reported it failed; only this package's retries of a
// rejected record could put it behind later records of its key. So a
// rejected record is retried only while it is the newest of its key handed
// to the client, and later records of that key wait until it is delivered
// or given up on. A record with a later one of its key already sent fails
// instead: re-sending it would reorder the key.
//
// It runs on every record, so each call is O(1): a key's queue is found
// through a 64-bit hash (hashed once per record) and reached afterwards
// through the record's ticket, without a lookup.
type keyOrder struct {
	mu   sync.Mutex
	seq  uint64
	hash func(string) uint64 // set once; hashes topics and keys
	keys map[uint64]*keyQueue
	// collided holds the queues of keys whose hash another key's queue
	// already had in keys: a hash only finds a queue, the queue's topic
	// and key decide whether it is the record's.
	collided map[exactKey]*keyQueue
	// free keeps emptied queues for reuse: nearly every record has a key
	// of its own, so a queue per record would be an allocation per record.
	free []*keyQueue
}

// maxFreeQueues bounds the queues kept for reuse: as many as records may
// be in flight (each live queue has one at least, sent or held), so that a
// completing goroutine that runs ahead of the submitting one does not drop
// queues the submitter then allocates again (96 bytes each, under 1 MB in
// all).
const maxFreeQueues = maxInFlightRecords

// maxKeptHeld bounds the room for held records a reused queue keeps.
const maxKeptHeld = 16

// orderKey is a record's key in its topic, as keyOrder keeps records of
// one key in order by.
type orderKey struct {
	topic, key string
	hash       uint64
}

type exactKey struct{ topic, key string }

type keyQueue struct {
	topic, key string
	hash       uint64
	latest     uint64     // the newest record handed to the client
	inFlight   int        // records handed to the client and not done
	held       []heldSend // records waiting behind a retry, in order
	retrying   uint64     // the record being retried; 0 when none
	draining   bool       // a goroutine is sending the held records
	collided   bool       // the queue is in keyOrder.collided, not keys
}

// orderTicket is a started record's place in its key. The queue stays its
// key's (it is not recycled) until the record is done: it counts in
// inFlight until then. A held record has no ticket until it is started, so
// abort, which gives held records up, leaves none behind.
type orderTicket struct {
	q   *keyQueue
	seq uint64
}

// heldSend is a record waiting for its key: start sends it, abort gives
// up on it when the run stops.
type heldSend interface {
	start(t orderTicket)
	abort()
}

func newKeyOrder() *keyOrder {
	seed := maphash.MakeSeed()
	return newKeyOrderHash(func(s string) uint64 { return maphash.String(seed, s) })
}

// newKeyOrderHash is newKeyOrder with another hash, for tests of colliding
// keys.
func newKeyOrderHash(hash func(string) uint64) *keyOrder {
	return &keyOrder{hash: hash, keys: map[uint64]*keyQueue{}}
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

// submit sends a record of key now, or after the key's retry is resolved.
func (o *keyOrder) submit(k orderKey, h heldSend) {
	o.mu.Lock()
	q := o.queue(k)
	if q.retrying != 0 || q.draining {
		q.held = append(q.held, h)
		o.mu.Unlock()
		return
	}
	t := o.admit(q)
	o.mu.Unlock()
	h.start(t)
}

// queue finds or makes k's queue. A key has one queue at most: a key in
// collided is looked for there before a queue is made for it.
func (o *keyOrder) queue(k orderKey) *keyQueue {
	q := o.keys[k.hash]
	if q != nil && q.topic == k.topic && q.key == k.key {
		return q
	}
	ek := exactKey{k.topic, k.key}
	if len(o.collided) > 0 {
		if c := o.collided[ek]; c != nil {
			return c
		}
	}
	n := o.newQueue(k)
	if q == nil {
		o.keys[k.hash] = n
		return n
	}
	n.collided = true
	if o.collided == nil {
		o.collided = map[exactKey]*keyQueue{}
	}
	o.collided[ek] = n
	return n
}

func (o *keyOrder) newQueue(k orderKey) *keyQueue {
	var q *keyQueue
	if n := len(o.free); n > 0 {
		q = o.free[n-1]
		o.free = o.free[:n-1]
	} else {
		q = &keyQueue{}
	}
	q.topic, q.key, q.hash = k.topic, k.key, k.hash
	return q
}

func (o *keyOrder) admit(q *keyQueue) orderTicket {
	o.seq++
	q.latest = o.seq
	q.inFlight++
	return orderTicket{q: q, seq: o.seq}
}

// mayRetry reports whether record t may be sent again: only when it is the
// newest record of its key handed to the client. Then later records of the
// key wait for it. Asking for the newest one handed out, rather than the
// newest one still in flight, also refuses a retry behind a later record
// of the key that was already delivered: it would land after it.
func (o *keyOrder) mayRetry(t orderTicket) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := t.q
	if q == nil || q.inFlight == 0 || q.latest != t.seq {
		return false
	}
	q.retrying = t.seq
	return true
}

// done records that t was delivered or given up on. If it was being
// retried, the records held behind it are sent, in order, from their own
// goroutine: done runs on a produce promise, which must not block on the
// client. A record is done once; its ticket is not used again.
func (o *keyOrder) done(t orderTicket) {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := t.q
	if q == nil {
		return
	}
	q.inFlight--
	if q.retrying == t.seq {
		q.retrying = 0
		if len(q.held) > 0 && !q.draining {
			q.draining = true
			go o.drain(q)
		}
	}
	o.forget(q)
}

// drain sends the held records of q one by one until none is left or one
// of them is being retried again.
func (o *keyOrder) drain(q *keyQueue) {
	for {
		o.mu.Lock()
		if q.retrying != 0 || len(q.held) == 0 {
			q.draining = false
			o.forget(q)
			o.mu.Unlock()
			return
		}
		h := q.held[0]
		q.held[0] = nil // let the record go once it is done
		q.held = q.held[1:]
		t := o.admit(q)
		o.mu.Unlock()
		h.start(t)
	}
}

// forget drops q from its key once nothing refers to it: no record in
// flight holds its ticket, none is held, and no drain runs on it.
func (o *keyOrder) forget(q *keyQueue) {
	if q.inFlight != 0 || len(q.held) != 0 || q.retrying != 0 || q.draining {
		return
	}
	if q.collided {
		delete(o.collided, exactKey{q.topic, q.key})
	} else {
		delete(o.keys, q.hash)
	}
	if len(o.free) < maxFreeQueues {
		held := q.held[:0]
		if cap(held) > maxKeptHeld {
			held = nil // a long retry of a busy key need not stay in memory
		}
		clear(held[:cap(held)])
		*q = keyQueue{held: held}
		o.free = append(o.free, q)
	}
}

// abort gives up on every held record (the run stopped).
func (o *keyOrder) abort() {
	o.mu.Lock()
	var held []heldSend
	for _, q := range o.keys {
		held = append(held, q.held...)
		q.held = nil
	}
	for _, q := range o.collided {
		held = append(held, q.held...)
		q.held = nil
	}
	o.mu.Unlock()
	for _, h := range held {
		h.abort()
	}
}
