package replaycmd

import (
	"context"
	"fmt"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// controlOp is a status change by id: start, resume, pause or cancel.
type controlOp func(svc *replay.Service, ctx context.Context, id string) (*contract.Session, error)

// controlRun is pause and cancel: it resolves the session, applies op
// under an audit record of action and prints the result; verb is the past
// tense the table output reports.
func controlRun(ctx context.Context, o *sessionOptions, action, verb string, op controlOp) error {
	p, svc, sess, err := o.resolve(ctx)
	if err != nil {
		return err
	}
	rec, err := o.beginAudit(ctx, action, nil, sess.SessionID)
	if err != nil {
		return err
	}
	updated, err := op(svc, ctx, sess.SessionID)
	if err := rec.Done(ctx, err); err != nil {
		return err
	}
	if p.Format() != output.FormatTable {
		return p.Print(updated)
	}
	st := p.Styles()
	_, err = fmt.Fprintf(o.Factory.IO.Out, "%s %s session %s at event %d/%d; it is now %s\n",
		st.SuccessIcon(), verb, updated.SessionID, processed(updated), updated.TotalEvents, st.Status(string(updated.Status)))
	return err
}
