package replay

import (
	"fmt"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
)

// StateError is an action the session's status forbids (fault.Conflict).
type StateError struct {
	SessionID string
	Action    string // start, pause, resume, cancel, run
	Status    contract.SessionStatus
}

func (e *StateError) Error() string {
	return fmt.Sprintf("cannot %s session %s: it is %s", e.Action, e.SessionID, e.Status)
}

func stateError(sess *contract.Session, action string) error {
	return fault.New(fault.Conflict, &StateError{SessionID: sess.SessionID, Action: action, Status: sess.Status})
}

// LostClaimError is a runner whose claim on a session expired or was taken
// over, so it stopped writing (fault.Conflict).
type LostClaimError struct {
	SessionID string
	// Cause says how the claim was lost; nil when it lapsed before the
	// final checkpoint.
	Cause error
}

func (e *LostClaimError) Error() string {
	if e.Cause == nil {
		return fmt.Sprintf("lost the claim on session %s before its final checkpoint", e.SessionID)
	}
	return fmt.Sprintf("lost the claim on session %s: %v", e.SessionID, e.Cause)
}

func (e *LostClaimError) Unwrap() error { return e.Cause }

func lostClaim(id string, cause error) error {
	return fault.New(fault.Conflict, &LostClaimError{SessionID: id, Cause: cause})
}

// SpecKeyError is a spec file key replayctl does not know (fault.Invalid).
type SpecKeyError struct {
	Path, Line, Key string
}

func (e *SpecKeyError) Error() string {
	return fmt.Sprintf("spec file %s, line %s: unknown key %q", e.Path, e.Line, e.Key)
}

// SpecKeys lists the keys a spec file may use.
const SpecKeys = specKeys
