package replaycmd

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/verify"
)

// exitPolicy turns how a session ended into the command's error (its exit
// code): start and resume succeed unless the session failed, run is
// stricter because CI jobs branch on it.
type exitPolicy func(s *contract.Session) error

// startMode is the policy of start, resume and create --start.
func startMode(s *contract.Session) error {
	if s.Status == contract.StatusFailed {
		return sessionFailed(s)
	}
	return nil
}

// runMode is the policy of run: 0 only when every event went out, 6 when
// the session completed with failed events, 1 otherwise.
func runMode(s *contract.Session) error {
	switch s.Status {
	case contract.StatusCompleted:
		if s.FailedEvents > 0 {
			return exitcode.Partialf("session %s completed with %d failed event(s)%s", s.SessionID, s.FailedEvents, failureCauses(s))
		}
		return nil
	case contract.StatusFailed:
		return sessionFailed(s)
	default:
		return exitcode.WithHint(fmt.Errorf("session %s did not complete: it is %s", s.SessionID, s.Status),
			"see 'replayctl replay show "+s.SessionID+"'")
	}
}

// maxCauses bounds the distinct causes the final message names.
const maxCauses = 3

// failureCauses names the distinct errors among the session's recorded
// failures (for Kafka: the topic and the broker's error code), most
// frequent first, so the last line of a CI log says why, not only how many.
func failureCauses(s *contract.Session) string {
	counts := map[string]int{}
	var order []string
	for _, e := range s.Errors {
		if e.ErrorType != nil && *e.ErrorType == "malformed_event" {
			continue // skipped documents, not failed events
		}
		if counts[e.Error] == 0 {
			order = append(order, e.Error)
		}
		counts[e.Error]++
	}
	if len(order) == 0 {
		return ""
	}
	sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
	parts := make([]string, 0, maxCauses)
	for _, msg := range order[:min(len(order), maxCauses)] {
		parts = append(parts, msg)
	}
	more := ""
	if len(order) > maxCauses {
		more = fmt.Sprintf("; %d other cause(s), see 'replayctl replay show %s'", len(order)-maxCauses, s.SessionID)
	}
	return ": " + strings.Join(parts, "; ") + more
}

func sessionFailed(s *contract.Session) error {
	reason := "see 'replayctl replay show " + s.SessionID + "'"
	if s.Error != nil && *s.Error != "" {
		reason = *s.Error
	}
	return fmt.Errorf("session %s failed: %s", s.SessionID, reason)
}

// launch puts sess to running with op (Start or Resume) and, unless detach,
// runs it in this process. rec is the command's audit record: its outcome
// is the launch (the session's own result is in the session), so it is
// written once the session runs, not when a long run ends.
func launch(ctx context.Context, b *baseOptions, p *output.Printer, svc *replay.Service,
	sess *contract.Session, op controlOp, detach bool, exits exitPolicy, rec *cmdutil.AuditRun) error {
	if err := b.checkTopics(ctx, svc, sess); err != nil {
		return rec.Done(ctx, err)
	}
	if !detach {
		if err := prepareForeground(ctx, b, p, svc, sess); err != nil {
			return rec.Done(ctx, err)
		}
	}
	running, err := op(svc, ctx, sess.SessionID)
	if err := rec.Done(ctx, err); err != nil {
		return err
	}
	if detach {
		return printDetached(b.Factory.IO, p, running)
	}
	if !b.Verify {
		return runForeground(ctx, b, p, svc, running, exits, nil)
	}
	// In JSON and YAML the run's summary waits for the verification, so a
	// script reads one document with both.
	var held *summaryView
	if p.Format() != output.FormatTable {
		held = &summaryView{}
	}
	err = runForeground(ctx, b, p, svc, running, exits, held)
	return verifyAfterRun(ctx, b, p, svc, running.SessionID, err, held)
}

// notVerified is a --verify that could not run after a clean run: exit 0
// would claim a verification that never happened.
func notVerified(id string, err error) error {
	return exitcode.Unavailablef("run 'replayctl replay verify "+id+"' once MongoDB and Kafka answer",
		"session %s ran, but it could not be verified: %w", id, err)
}

// verifyAfterRun verifies a session this process ran once it completed,
// and folds the verdict into the exit code: the run's own failure wins.
// A summary the run held back (held, JSON and YAML) is printed with the
// verification in it, or alone when there is none.
func verifyAfterRun(ctx context.Context, b *baseOptions, p *output.Printer, svc *replay.Service, id string, runErr error, held *summaryView) error {
	rep, err := verdictAfterRun(ctx, b, svc, id, runErr)
	switch {
	case held != nil && held.SessionID != "":
		held.Verification = rep
		if perr := p.Print(*held); perr != nil {
			return perr
		}
	case rep != nil:
		if perr := p.Print(verifyView{rep}); perr != nil {
			return perr
		}
	}
	return err
}

// verdictAfterRun is verifyAfterRun's verdict: the report when verify ran, and
// the error to exit with.
func verdictAfterRun(ctx context.Context, b *baseOptions, svc *replay.Service, id string, runErr error) (*verify.Report, error) {
	if runErr == nil && ctx.Err() != nil {
		return nil, notVerified(id, ctx.Err())
	}
	if ctx.Err() != nil {
		return nil, runErr
	}
	sess, err := svc.Resolve(ctx, id)
	if err != nil {
		if runErr != nil {
			return nil, runErr
		}
		return nil, notVerified(id, err)
	}
	if sess.Status != contract.StatusCompleted {
		return nil, runErr // it did not complete: the run's exit code says why
	}
	rep, err := runVerify(ctx, b.Factory, id, defaultMaxTime)
	if err != nil {
		return nil, errors.Join(runErr, fmt.Errorf("verify session %s: %w", id, err))
	}
	if runErr != nil {
		return rep, runErr
	}
	return rep, verifyExit(rep)
}

// prepareForeground checks what a foreground run needs before the session
// changes state, so a conflict or an unreachable Kafka changes nothing.
func prepareForeground(ctx context.Context, b *baseOptions, p *output.Printer, svc *replay.Service, sess *contract.Session) error {
	if err := checkStdoutFree(p, sess); err != nil {
		return err
	}
	return ensureProducer(ctx, b.Factory, svc, sess)
}

// printDetached reports a session left running for a worker.
func printDetached(ios *output.IOStreams, p *output.Printer, s *contract.Session) error {
	if p.Format() != output.FormatTable {
		return p.Print(s)
	}
	st := p.Styles()
	_, err := fmt.Fprintf(ios.Out, "%s Session %s is %s; a worker will run it. Follow it with: replayctl replay watch %s\n",
		st.SuccessIcon(), s.SessionID, st.Status(string(s.Status)), output.ShortID(s.SessionID))
	return err
}

// runForeground runs a running session here until it ends or ctx is
// cancelled (Ctrl-C), then prints the summary.
// runForeground runs sess in this process and prints its summary, or,
// when hold is not nil, leaves the summary there for the caller to print.
func runForeground(ctx context.Context, b *baseOptions, p *output.Printer, svc *replay.Service,
	sess *contract.Session, exits exitPolicy, hold *summaryView) error {
	ios := b.Factory.IO
	prog := newRunProgress(ios, sess)
	before := sess.ReplayedEvents
	began := time.Now()
	res, err := svc.Run(ctx, sess.SessionID, replay.RunOptions{
		Progress:      prog.update,
		Stdout:        ios.Out,
		OnInterrupt:   replay.PauseOnInterrupt,
		TopicsChecked: b.topicsChecked,
	})
	prog.finish()
	if ctx.Err() != nil && (res == nil || res.Outcome == replay.OutcomePaused) {
		return interrupted(ctx, ios, svc, sess, res)
	}
	if err != nil {
		if followed, ferr := followHolder(ctx, b, p, svc, sess, err, exits); followed {
			return ferr
		}
		return err
	}
	sum := newSummaryView(res.Session, string(res.Outcome), time.Since(began), res.Session.ReplayedEvents-before)
	if hold != nil {
		*hold = sum
	} else if err := printSummary(ios, p, sum, streamsToStdout(res.Session)); err != nil {
		return err
	}
	return exits(res.Session)
}

// interrupted reports where Ctrl-C left the session and exits 130.
func interrupted(ctx context.Context, ios *output.IOStreams, svc *replay.Service, sess *contract.Session, res *replay.Result) error {
	s := sess
	if res != nil && res.Session != nil {
		s = res.Session
	} else {
		// The run's context is gone; reading the final state must not be.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if fresh, err := svc.Resolve(rctx, sess.SessionID); err == nil {
			s = fresh
		}
	}
	if s.Status == contract.StatusPaused {
		fmt.Fprintf(ios.ErrOut, "Paused session %s at event %d/%d. Resume with: replayctl replay resume %s\n",
			s.SessionID, processed(s), s.TotalEvents, s.SessionID)
	} else {
		fmt.Fprintf(ios.ErrOut, "Stopped following session %s; it is %s.\n", s.SessionID, s.Status)
	}
	return fmt.Errorf("replay of session %s interrupted: %w", s.SessionID, context.Canceled)
}

// followHolder handles the race where a worker took the session between
// our Start and our Run: instead of failing, follow the worker's progress.
// It reports whether it took over the error.
func followHolder(ctx context.Context, b *baseOptions, p *output.Printer, svc *replay.Service,
	sess *contract.Session, runErr error, exits exitPolicy) (bool, error) {
	if cmdutil.ExitCode(runErr) != exitcode.InvalidState {
		return false, nil
	}
	info, err := svc.Info(ctx, sess.SessionID)
	if err != nil || info.Holder == nil || !info.Holder.Live || info.Holder.Purpose != "run" || info.Holder.Owner == svc.Owner {
		return false, nil
	}
	ios := b.Factory.IO
	fmt.Fprintf(ios.ErrOut, "Session %s is being run by %s; following it instead.\n", sess.SessionID, info.Holder.Owner)
	return true, watchUntilEnd(ctx, ios, p, svc, sess.SessionID, time.Second, exits)
}

// runProgress adapts the engine's progress callbacks to output.Progress.
// output.Progress measures work from zero, so a resumed session's bar
// covers what is left (from base on): its rate and ETA stay honest.
type runProgress struct {
	bar  *output.Progress
	base int64
}

func newRunProgress(ios *output.IOStreams, s *contract.Session) *runProgress {
	base := processed(s)
	label := "Replaying " + output.ShortID(s.SessionID)
	if base > 0 {
		label += fmt.Sprintf(" (resumed after %d)", base)
	}
	return &runProgress{bar: output.NewProgress(ios, label, max(s.TotalEvents-base, 0)), base: base}
}

func (r *runProgress) update(pr replay.Progress) {
	if pr.Total > 0 {
		r.bar.SetTotal(max(pr.Total-r.base, 0))
	}
	r.bar.Update(max(pr.Replayed+pr.Failed+pr.Skipped-r.base, 0), pr.Failed)
}

func (r *runProgress) finish() { r.bar.Finish() }

// isCanceled reports an error caused by an interrupted context.
func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }
