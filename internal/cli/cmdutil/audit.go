package cmdutil

import (
	"context"
	"fmt"
	"time"

	"github.com/integr8scode/replayctl/internal/audit"
)

// finishTimeout bounds writing an outcome after the command's own context
// ended (Ctrl-C, --timeout): the change is made, so its record matters more
// than exiting a moment sooner.
const finishTimeout = 10 * time.Second

// AuditRun is one audited command between its intent and its outcome.
type AuditRun struct {
	f       *Factory
	a       *audit.Auditor
	rec     *audit.Record
	targets []string
	done    bool
}

// BeginAudit writes the intent of a state-changing command. Call it after
// validation and confirmation, right before the change; when it fails,
// return its error and change nothing (exit 5). Then end with Done or
// DoneWith:
//
//	run, err := cmdutil.BeginAudit(ctx, f, audit.Intent{Action: audit.ReplayCancel, Targets: ids, Reason: o.Reason})
//	if err != nil {
//		return err
//	}
//	err = doIt(ctx)
//	return run.Done(ctx, err)
func BeginAudit(ctx context.Context, f *Factory, in audit.Intent) (*AuditRun, error) {
	a, err := f.Auditor(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := a.Begin(ctx, in)
	if err != nil {
		return nil, err
	}
	return &AuditRun{f: f, a: a, rec: rec}, nil
}

// ID is the audit record's id.
func (r *AuditRun) ID() string { return r.rec.ID }

// AddTargets names ids known only once the action ran (the session or
// job it created); Done records them with the outcome.
func (r *AuditRun) AddTargets(ids ...string) { r.targets = append(r.targets, ids...) }

// Done records the outcome err implies (ok, partial or failed) and
// returns err unchanged.
func (r *AuditRun) Done(ctx context.Context, err error) error {
	return r.DoneWith(ctx, audit.OutcomeOf(err), err)
}

// DoneWith records out and returns err unchanged. A failure to record is
// only warned about: the change is made, and the intent stays as
// "unknown", which is what the trail promises for a lost outcome.
func (r *AuditRun) DoneWith(ctx context.Context, out audit.Outcome, err error) error {
	if r.done {
		return err // the outcome is written once, by the first to know it
	}
	r.done = true
	out.Targets = append(out.Targets, r.targets...)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if ferr := r.a.Finish(wctx, r.rec, out); ferr != nil {
		fmt.Fprintf(r.f.warnOut(), "Warning: %v\n", ferr)
	}
	return err
}

// Auditor builds the audit trail writer of this process from the settings'
// actor, the factory's version and the host; tests replace f.Audit to
// point it elsewhere.
func (f *Factory) Auditor(ctx context.Context) (*audit.Auditor, error) {
	if f.Audit != nil {
		return f.Audit(ctx)
	}
	return f.defaultAuditor(ctx)
}

func (f *Factory) defaultAuditor(ctx context.Context) (*audit.Auditor, error) {
	s, st, err := f.SettingsAndStore(ctx)
	if err != nil {
		return nil, err
	}
	version := f.Version
	if version == "" {
		version = "dev"
	}
	return &audit.Auditor{Store: st, Actor: s.Actor, Version: version, Host: audit.Hostname(), Now: f.Now, Timeout: s.Timeout}, nil
}
