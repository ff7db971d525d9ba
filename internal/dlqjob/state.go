package dlqjob

import (
	"fmt"

	"github.com/integr8scode/replayctl/internal/fault"
)

// Status is where a job is in its life.
type Status string

// Statuses. Cancelled, completed and failed are terminal.
const (
	StatusPending    Status = "pending"
	StatusRunning    Status = "running"
	StatusCancelling Status = "cancelling"
	StatusCancelled  Status = "cancelled"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
)

// Statuses lists every status in life order.
var Statuses = []Status{StatusPending, StatusRunning, StatusCancelling, StatusCancelled, StatusCompleted, StatusFailed}

// Terminal reports whether nothing more happens to a job in s.
func (s Status) Terminal() bool {
	return s == StatusCancelled || s == StatusCompleted || s == StatusFailed
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Event is what happens to a job.
type Event string

// Events.
const (
	// EventStart: a holder takes the job (first start or a takeover).
	EventStart Event = "start"
	// EventRelease: the holder gives the job back unfinished (Ctrl-C, a
	// worker shutting down).
	EventRelease Event = "release"
	// EventCancel: an operator cancels the job.
	EventCancel Event = "cancel"
	// EventStopped: the holder has stopped sending after a cancel.
	EventStopped Event = "stopped"
	// EventComplete: every selected message was handled.
	EventComplete Event = "complete"
	// EventFail: the job cannot go on (its spec cannot be carried out).
	EventFail Event = "fail"
)

// transitions is the state machine: a pending job is cancelled at once (no
// holder sends anything); a running one goes through cancelling, which its
// holder turns into cancelled once it has stopped. A holder taking over a
// cancelling job finishes the cancel.
var transitions = map[Status]map[Event]Status{
	StatusPending: {
		EventStart: StatusRunning, EventCancel: StatusCancelled, EventFail: StatusFailed,
	},
	StatusRunning: {
		EventStart: StatusRunning, EventRelease: StatusPending, EventCancel: StatusCancelling,
		EventComplete: StatusCompleted, EventFail: StatusFailed,
	},
	StatusCancelling: {
		EventStart: StatusCancelling, EventRelease: StatusCancelling, EventCancel: StatusCancelling,
		EventStopped: StatusCancelled, EventFail: StatusFailed,
	},
}

// StateError is a transition the state machine forbids.
type StateError struct {
	From  Status
	Event Event
}

func (e *StateError) Error() string {
	if e.From.Terminal() {
		return fmt.Sprintf("the job is already %s", e.From)
	}
	return fmt.Sprintf("a %s job cannot %s", e.From, e.Event)
}

// Next is the status after e, or a conflict error.
func Next(from Status, e Event) (Status, error) {
	if to, ok := transitions[from][e]; ok {
		return to, nil
	}
	return from, fault.New(fault.Conflict, &StateError{From: from, Event: e})
}
