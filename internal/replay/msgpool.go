package replay

import "sync"

// messagePool recycles a run's messages once their sink reported them.
// A message is about 800 bytes with its value buffer beside it; without
// recycling, a replay allocates both for every event, and the collector,
// run every few thousand events because little stays live, costs more
// than encoding them. A sync.Pool would do, but it hands objects back
// across processors slowly and empties at every collection; this one is
// owned by one run, so it never holds more than the run's peak of
// messages in flight.
//
// Reuse is safe because every message is reported exactly once (the sink
// interface's rule) and nothing keeps one after its report: franz-go drops
// a record once its promise returned, and the one thing it may still hold
// (a record's Context, in a goroutine waiting out an unknown topic) is the
// message's recordCtx, which is never written after the message's first
// send (see recordCtx).
type messagePool struct {
	mu   sync.Mutex
	free []*message // put's side, under mu
	// taken is get's side: the free list as it was taken over whole, so
	// get locks once per many messages rather than once per event. get
	// has one caller at a time (the decoder, or the reader when paced).
	taken []*message
}

// get is a message with its value buffer (length 0) of at least size
// bytes: a recycled one when there is one.
func (p *messagePool) get(size int) *message {
	if len(p.taken) == 0 {
		p.mu.Lock()
		p.taken, p.free = p.free, p.taken[:0]
		p.mu.Unlock()
	}
	var m *message
	if n := len(p.taken); n > 0 {
		m = p.taken[n-1]
		p.taken[n-1] = nil
		p.taken = p.taken[:n-1]
		m.reset()
	} else {
		m = &message{}
	}
	if cap(m.value) < size {
		m.value = make([]byte, 0, size)
	}
	return m
}

// put takes back a reported message; one whose value grew much larger
// than events usually are is left to the collector.
func (p *messagePool) put(m *message) {
	if cap(m.value) > maxPooledValue {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, m)
	p.mu.Unlock()
}

// maxPooledValue bounds the value buffers recycled messages keep.
const maxPooledValue = 64 << 10
