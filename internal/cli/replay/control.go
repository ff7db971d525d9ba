package replaycmd

import (
	"context"
	"fmt"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// controlOp is a status change by id: pause or cancel.
type controlOp func(svc *replay.Service, ctx context.Context, id string) (*contract.Session, error)

// controlRun resolves the id, applies op and prints the result.
func controlRun(b *baseOptions, id, verb string, op controlOp) error {
	ctx := b.runContext()
	p, err := b.Factory.Printer()
	if err != nil {
		return err
	}
	svc, err := b.service(ctx, false)
	if err != nil {
		return err
	}
	sess, err := svc.Resolve(ctx, id)
	if err != nil {
		return err
	}
	updated, err := op(svc, ctx, sess.SessionID)
	if err != nil {
		return err
	}
	if p.Format() != output.FormatTable {
		return p.Print(updated)
	}
	st := p.Styles()
	_, err = fmt.Fprintf(b.Factory.IO.Out, "%s %s session %s at event %d/%d; it is now %s\n",
		st.SuccessIcon(), verb, updated.SessionID, processed(updated), updated.TotalEvents, st.Status(string(updated.Status)))
	return err
}
