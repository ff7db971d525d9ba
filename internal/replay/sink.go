package replay

import (
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
)

// message is one event on its way to a target: everything the engine keeps
// of it while it is in flight, in one allocation.
type message struct {
	ev         contract.StoredEvent // Raw is not kept: the cursor reuses it
	value      []byte               // the contract's JSON of the event
	replayedAt time.Time
	// replayedAtText is replayedAt as the contract writes dates, shared by
	// the events of one millisecond.
	replayedAtText []byte
	seq            int64 // the tracker's
	size           int64 // what it holds of the window
	// done is how the runner learns the target's answer; a sink calls it
	// exactly once per sent message, possibly later and from another
	// goroutine.
	done  func(m *message, err error)
	kafka kafkaState
}

// reset clears a reported message for its next event, keeping its value
// buffer and its record context (see messagePool and recordCtx).
//
// Only what a send does not set again is cleared: zeroing the whole
// message cost a tenth of the engine's CPU (it is cold in this core's
// cache). Every other field is written for each event: ev, replayedAt,
// replayedAtText and value by encode, seq and size by runner.send, the
// record, headers, buf and sink by kafkaSink.record, order by start.
func (m *message) reset() {
	m.value = m.value[:0]
	m.seq, m.size, m.done = 0, 0, nil
	m.kafka.order = orderTicket{}
	m.kafka.rejected, m.kafka.outages = 0, 0
}

// sink is a replay target.
type sink interface {
	// send hands one event over without blocking for long; m.done gets the
	// delivery result. An error return means the target is broken and the
	// run must stop; m.done is then not called.
	send(m *message) error
	// sync makes everything delivered so far durable, then calls fn while no
	// event can complete, and returns the target's byte offset (files).
	sync(fn func()) (int64, error)
	// abort gives up on events still in flight; their done calls report
	// errAborted.
	abort()
	close() error
}

// dryRunSink reads and validates every event and sends nothing.
type dryRunSink struct{}

func (dryRunSink) send(m *message) error {
	m.done(m, nil)
	return nil
}

func (dryRunSink) sync(fn func()) (int64, error) {
	fn()
	return 0, nil
}

func (dryRunSink) abort()       {}
func (dryRunSink) close() error { return nil }
