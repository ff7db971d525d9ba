package contract

import "fmt"

// Action is an operator or runner request that changes a session's status.
type Action string

const (
	ActionStart    Action = "start"
	ActionPause    Action = "pause"
	ActionResume   Action = "resume"
	ActionCancel   Action = "cancel"
	ActionComplete Action = "complete"
	ActionFail     Action = "fail"
)

// TransitionError says why an action is not allowed in the current status.
type TransitionError struct {
	Action Action
	From   SessionStatus
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a session that is %s", e.Action, e.From)
}

// Transition returns the status an action leads to from status from, or a
// *TransitionError when the contract's lifecycle forbids it.
func Transition(from SessionStatus, a Action) (SessionStatus, error) {
	to, ok := transitions[a][from]
	if !ok {
		return from, &TransitionError{Action: a, From: from}
	}
	return to, nil
}

var transitions = map[Action]map[SessionStatus]SessionStatus{
	ActionStart:    {StatusCreated: StatusRunning},
	ActionPause:    {StatusRunning: StatusPaused},
	ActionResume:   {StatusPaused: StatusRunning},
	ActionComplete: {StatusRunning: StatusCompleted},
	ActionFail:     {StatusRunning: StatusFailed},
	ActionCancel: {
		StatusPreview: StatusCancelled, StatusScheduled: StatusCancelled,
		StatusCreated: StatusCancelled, StatusRunning: StatusCancelled,
		StatusPaused: StatusCancelled,
	},
}
