package contract

import "unsafe"

// Strings hands out the routing fields' text of many events from shared
// blocks: a replay keeps each event's id, type and aggregate id while the
// event is in flight, and an allocation per event for them was 15% of the
// engine's own per-event work in a profile (the allocation, and the span
// set-up and sweeping behind it), and its only allocation per event. One
// block serves about 150 events of the seeded kind.
//
// A string it returns keeps its whole block alive, so what is kept for
// long is copied out of it: the replay engine clones the event id of an
// error entry, the event type it keys its topics by, and the types its
// metrics are labelled with. What it still holds over blocks are the
// events in flight, the recycled messages (their last event) and the last
// checkpoint positions: blocks bounded by the window, not by the run. The
// zero value is ready; it is not safe for concurrent use, but the strings
// it returned are (bytes handed out are never written again).
type Strings struct {
	block []byte // appended to only: bytes handed out are never written again
}

// stringsBlock is the size of one block; text longer than a quarter of it
// gets its own allocation.
const stringsBlock = 16 << 10

// concat returns the concatenation of parts as one string; a nil s
// allocates it alone.
func (s *Strings) concat(parts ...[]byte) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return ""
	}
	if s == nil || n > stringsBlock/4 {
		b := make([]byte, 0, n)
		for _, p := range parts {
			b = append(b, p...)
		}
		return unsafe.String(unsafe.SliceData(b), n)
	}
	if cap(s.block)-len(s.block) < n {
		s.block = make([]byte, 0, stringsBlock)
	}
	start := len(s.block)
	for _, p := range parts {
		s.block = append(s.block, p...)
	}
	return unsafe.String(&s.block[start], n)
}
