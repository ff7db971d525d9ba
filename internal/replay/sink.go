package replay

import (
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
)

// message is one event on its way to a target.
type message struct {
	ev         contract.StoredEvent // Raw is not kept: the cursor reuses it
	value      []byte               // the contract's JSON of the event
	replayedAt time.Time
}

// sink is a replay target.
type sink interface {
	// send hands one event over without blocking for long. done is called
	// exactly once with the delivery result, possibly later and from another
	// goroutine. An error return means the target is broken and the run must
	// stop; done is then not called.
	send(m *message, done func(error)) error
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

func (dryRunSink) send(_ *message, done func(error)) error {
	done(nil)
	return nil
}

func (dryRunSink) sync(fn func()) (int64, error) {
	fn()
	return 0, nil
}

func (dryRunSink) abort()       {}
func (dryRunSink) close() error { return nil }
