package replaycmd

import (
	"context"
	"fmt"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
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
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	updated, err := control(ctx, o, action, op)
	if err != nil {
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

// control resolves the session and applies op, audited as action.
func control(ctx context.Context, o *sessionOptions, action string, op controlOp) (*contract.Session, error) {
	_, svc, sess, err := o.resolve(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := o.beginAudit(ctx, action, nil, sess.SessionID)
	if err != nil {
		return nil, err
	}
	updated, err := op(svc, ctx, sess.SessionID)
	if err := rec.Done(ctx, err); err != nil {
		return nil, err
	}
	return updated, nil
}

// Pause pauses a session as `replay pause ID` does, audit record
// included, and returns it without printing (the dashboard's pause).
func Pause(ctx context.Context, f *cmdutil.Factory, id string) (*contract.Session, error) {
	o := newSessionOptions(f)
	o.ID = id
	return control(ctx, &o, audit.ReplayPause, (*replay.Service).Pause)
}

// Cancel cancels a session as `replay cancel ID` does, without printing.
func Cancel(ctx context.Context, f *cmdutil.Factory, id string) (*contract.Session, error) {
	o := newSessionOptions(f)
	o.ID = id
	return control(ctx, &o, audit.ReplayCancel, (*replay.Service).Cancel)
}

// ResumeDetached hands a paused session to a worker as `replay resume
// --detach ID` does (audit record, missing-topic refusal), without
// printing.
func ResumeDetached(ctx context.Context, f *cmdutil.Factory, id string) (*contract.Session, error) {
	o := &launchOptions{sessionOptions: newSessionOptions(f), Detach: true}
	o.ID = id
	_, svc, sess, err := o.resolve(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := o.beginAudit(ctx, audit.ReplayResume, launchParams(true, false), sess.SessionID)
	if err != nil {
		return nil, err
	}
	if err := o.checkTopics(ctx, svc, sess); err != nil {
		return nil, rec.Done(ctx, err)
	}
	running, err := svc.Resume(ctx, sess.SessionID)
	if err := rec.Done(ctx, err); err != nil {
		return nil, err
	}
	return running, nil
}
