package replaycmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// minWatchInterval keeps a typo like --interval 1ms from hammering the
// server with one session read per millisecond.
const minWatchInterval = 100 * time.Millisecond

// WatchOptions are the inputs of `replay watch`.
type WatchOptions struct {
	sessionOptions
	Interval time.Duration
}

// NewCmdWatch builds `replay watch`; runF replaces the run in flag tests.
func NewCmdWatch(f *cmdutil.Factory, runF func(context.Context, *WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{sessionOptions: newSessionOptions(f)}
	cmd := &cobra.Command{
		Use:   "watch ID",
		Short: "Follow a session that another process runs, until it ends",
		Long: `Follow a session run by a worker or another shell: a progress bar on a
terminal, a progress line every few seconds otherwise, and a summary when
the session ends (-o json: a summary object that includes the session).
Watching only reads; Ctrl-C stops watching and leaves the session alone.

A paused session is still watched (it is said to be paused) until it is
resumed and ends, or is cancelled.

Exits 0 when the session completed or was cancelled, 1 when it failed.`,
		Example: `  replayctl replay watch 3f1c9a1e
  replayctl replay watch 3f1c9a1e --interval 5s -o json`,
	}
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "how often to read the session")
	return bindSession(cmd, &opts.sessionOptions, opts, opts.checkInterval, runF, watchRun)
}

// checkInterval refuses an --interval that would hammer the server.
func (o *WatchOptions) checkInterval() error {
	if o.Interval < minWatchInterval {
		return usageHint(fmt.Sprintf("invalid --interval %s: must be at least %s", o.Interval, minWatchInterval),
			"e.g. --interval 1s")
	}
	return nil
}

func watchRun(ctx context.Context, o *WatchOptions) error {
	p, svc, sess, err := o.resolve(ctx)
	if err != nil {
		return err
	}
	return watchUntilEnd(ctx, o.Factory.IO, p, svc, sess.SessionID, o.Interval, watchMode)
}

// watchMode: a cancelled session is an expected end for a watcher.
func watchMode(s *contract.Session) error {
	if s.Status == contract.StatusFailed {
		return sessionFailed(s)
	}
	return nil
}

// watchUntilEnd follows id until it is terminal, then prints the summary.
func watchUntilEnd(ctx context.Context, ios *output.IOStreams, p *output.Printer, svc *replay.Service,
	id string, every time.Duration, exits exitPolicy) error {
	w := &watcher{ios: ios, styles: p.Styles(), id: id}
	final, err := svc.Watch(ctx, id, every, w.observe)
	w.finish()
	if err != nil {
		if ctx.Err() != nil || isCanceled(err) {
			fmt.Fprintf(ios.ErrOut, "Stopped watching session %s; it goes on.\n", id)
			return fmt.Errorf("watch of session %s interrupted: %w", id, context.Canceled)
		}
		return err
	}
	if final == nil {
		return exitcode.New(exitcode.Error, fmt.Errorf("watch of session %s ended without a final state", id))
	}
	sum := newSummaryView(final, "", runTime(final), final.ReplayedEvents)
	if err := printSummary(ios, p, sum, false); err != nil {
		return err
	}
	return exits(final)
}

// runTime is how long the session ran, from its own timestamps.
func runTime(s *contract.Session) time.Duration {
	if s.StartedAt == nil || s.CompletedAt == nil || s.CompletedAt.Before(*s.StartedAt) {
		return 0
	}
	return s.CompletedAt.Sub(*s.StartedAt)
}

// watcher renders the session states Watch reports.
type watcher struct {
	ios    *output.IOStreams
	styles *output.Styles
	id     string
	bar    *watchProgress
	last   contract.SessionStatus
}

func (w *watcher) observe(s *contract.Session) {
	first := w.last == ""
	if s.Status != w.last {
		w.statusChanged(s)
		w.last = s.Status
	}
	// A session that had already ended gets its summary, not a bar.
	if first && s.Status.Terminal() {
		return
	}
	if w.bar == nil {
		w.bar = newWatchProgress(w.ios, time.Now)
	}
	w.bar.observe(s)
}

func (w *watcher) statusChanged(s *contract.Session) {
	switch {
	case s.Status == contract.StatusPaused:
		w.notice(fmt.Sprintf("%s Session %s is paused at event %d/%d; still watching (resume it with: replayctl replay resume %s)",
			w.styles.WarningIcon(), s.SessionID, processed(s), s.TotalEvents, output.ShortID(s.SessionID)))
	case s.Status == contract.StatusRunning && w.last == contract.StatusPaused:
		w.notice(fmt.Sprintf("Session %s is running again.", s.SessionID))
	case s.Status == contract.StatusCreated && w.last == "":
		w.notice(fmt.Sprintf("Session %s has not been started yet; waiting.", s.SessionID))
	}
}

// notice prints a line without leaving a half-drawn progress line before it.
func (w *watcher) notice(msg string) {
	if w.bar != nil {
		w.bar.clear()
	}
	fmt.Fprintln(w.ios.ErrOut, msg)
}

func (w *watcher) finish() {
	if w.bar != nil {
		w.bar.finish()
	}
}
