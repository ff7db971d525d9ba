package audit

import (
	"fmt"

	"github.com/integr8scode/replayctl/internal/fault"
)

// OutcomeOf is the outcome of a single action from the error it returned:
// ok when nil, partial when the error says some items failed, else failed.
func OutcomeOf(err error) Outcome {
	switch {
	case err == nil:
		return Outcome{Status: OK}
	case fault.KindOf(err) == fault.Partial:
		return Outcome{Status: Partial, Error: err.Error()}
	}
	return Outcome{Status: Failed, Error: err.Error()}
}

// BatchOutcome is the outcome of a bulk action from its counts and the
// error that stopped it, if any: ok when every item succeeded, failed when
// none did, partial in between. Refusals (messages another process took or
// finished first) make a batch partial too, because the record must say
// that not everything selected was done by this action.
func BatchOutcome(succeeded, failed, refused int64, err error) Outcome {
	out := Outcome{Counts: &Counts{Succeeded: succeeded, Failed: failed, Refused: refused}}
	if err != nil {
		out.Error = err.Error()
	}
	switch {
	case err == nil && failed == 0 && refused == 0:
		out.Status = OK
	case succeeded == 0:
		out.Status = Failed
		if out.Error == "" {
			out.Error = fmt.Sprintf("none succeeded: %d failed, %d refused", failed, refused)
		}
	default:
		out.Status = Partial
	}
	return out
}
