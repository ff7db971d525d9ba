package replay

import "sync"

// keyOrder keeps a replay's records of one key (per topic) in replay order
// on Kafka when some are rejected and retried. franz-go's idempotent
// producer keeps order through its own retries and never sends a record
// again once it reported it failed; only this package's retries of a
// rejected record could put it behind later records of its key. So a
// rejected record is retried only while it is the newest of its key handed
// to the client, and later records of that key wait until it is delivered
// or given up on. A record with a later one of its key already sent fails
// instead: re-sending it would reorder the key.
type keyOrder[K comparable] struct {
	mu   sync.Mutex
	seq  uint64
	keys map[K]*keyQueue
	// free keeps emptied queues for reuse: nearly every record has a key
	// of its own, so a queue per record would be an allocation per record.
	free []*keyQueue
}

// maxFreeQueues bounds the queues kept for reuse.
const maxFreeQueues = 1024

type keyQueue struct {
	inFlight []uint64   // records handed to the client, oldest first
	held     []heldSend // records waiting behind a retry, in order
	retrying uint64     // the record being retried; 0 when none
	draining bool       // a goroutine is sending the held records
}

// heldSend is a record waiting for its key: start sends it, abort gives
// up on it when the run stops.
type heldSend interface {
	start(seq uint64)
	abort()
}

func newKeyOrder[K comparable]() *keyOrder[K] { return &keyOrder[K]{keys: map[K]*keyQueue{}} }

// submit sends a record of key now, or after the key's retry is resolved.
func (o *keyOrder[K]) submit(key K, h heldSend) {
	o.mu.Lock()
	q := o.keys[key]
	if q == nil {
		q = o.newQueue()
		o.keys[key] = q
	}
	if q.retrying != 0 || q.draining {
		q.held = append(q.held, h)
		o.mu.Unlock()
		return
	}
	seq := o.admit(q)
	o.mu.Unlock()
	h.start(seq)
}

func (o *keyOrder[K]) newQueue() *keyQueue {
	if n := len(o.free); n > 0 {
		q := o.free[n-1]
		o.free = o.free[:n-1]
		return q
	}
	return &keyQueue{}
}

func (o *keyOrder[K]) admit(q *keyQueue) uint64 {
	o.seq++
	q.inFlight = append(q.inFlight, o.seq)
	return o.seq
}

// mayRetry reports whether record seq of key may be sent again: only when
// no later record of its key was handed to the client. Then later records
// of the key wait for it.
func (o *keyOrder[K]) mayRetry(key K, seq uint64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.keys[key]
	if q == nil || len(q.inFlight) == 0 || q.inFlight[len(q.inFlight)-1] != seq {
		return false
	}
	q.retrying = seq
	return true
}

// done records that seq was delivered or given up on. If it was being
// retried, the records held behind it are sent, in order, from their own
// goroutine: done runs on a produce promise, which must not block on the
// client.
func (o *keyOrder[K]) done(key K, seq uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.keys[key]
	if q == nil {
		return
	}
	for i, s := range q.inFlight {
		if s == seq {
			q.inFlight = append(q.inFlight[:i], q.inFlight[i+1:]...)
			break
		}
	}
	if q.retrying == seq {
		q.retrying = 0
		if len(q.held) > 0 && !q.draining {
			q.draining = true
			go o.drain(key, q)
		}
	}
	o.forget(key, q)
}

// drain sends the held records of q one by one until none is left or one
// of them is being retried again.
func (o *keyOrder[K]) drain(key K, q *keyQueue) {
	for {
		o.mu.Lock()
		if q.retrying != 0 || len(q.held) == 0 {
			q.draining = false
			o.forget(key, q)
			o.mu.Unlock()
			return
		}
		h := q.held[0]
		q.held = q.held[1:]
		seq := o.admit(q)
		o.mu.Unlock()
		h.start(seq)
	}
}

func (o *keyOrder[K]) forget(key K, q *keyQueue) {
	if len(q.inFlight) == 0 && len(q.held) == 0 && q.retrying == 0 && !q.draining {
		delete(o.keys, key)
		if len(o.free) < maxFreeQueues {
			clear(q.held[:cap(q.held)]) // let held records go
			*q = keyQueue{inFlight: q.inFlight[:0], held: q.held[:0]}
			o.free = append(o.free, q)
		}
	}
}

// abort gives up on every held record (the run stopped).
func (o *keyOrder[K]) abort() {
	o.mu.Lock()
	var held []heldSend
	for _, q := range o.keys {
		held = append(held, q.held...)
		q.held = nil
	}
	o.mu.Unlock()
	for _, h := range held {
		h.abort()
	}
}
