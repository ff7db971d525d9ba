package replaycmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/verify"
)

// defaultMaxTime bounds one verification unless --max-time says otherwise.
const defaultMaxTime = 30 * time.Minute

// VerifyOptions are the inputs of `replay verify`.
type VerifyOptions struct {
	sessionOptions
	// MaxTime bounds the whole verification; 0 means no bound.
	MaxTime time.Duration
}

// NewCmdVerify builds `replay verify`; runF replaces the run in flag tests.
func NewCmdVerify(f *cmdutil.Factory, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{sessionOptions: newSessionOptions(f)}
	cmd := &cobra.Command{
		Use:   "verify ID",
		Short: "Check that a finished session delivered every selected event",
		Long: `Compare what a finished session delivered with what it was meant to deliver.

Expected: the session's filter evaluated against the event store exactly as
its run evaluated it: the same filter, capped at the events stored when it
first started (the insertion bound it recorded), the same max_events, the same (timestamp, _id)
order; stored documents that are not valid events are skipped, as the run
skipped them.

Delivered: for a Kafka target, the records of the session's target topics
between the end offsets recorded when the session first started and when
its last run ended, read several partitions in parallel, keeping those
whose replayctl-session-id header is this session's; the event id is the
event_id of the record's JSON value. For a file target, the file's JSON
lines from where the session began writing. A record or line without a
readable event id is counted as unreadable.

It reports expected, delivered (distinct) and records read; missing events
(the first 20 with their timestamps and types); duplicated events (with how
many copies, and whether each lies in a window the session recorded as
possible duplicates after a crash or takeover); and unexpected events (the
session's records whose event is not in the selection). The summary, not
the id lists, is stored in the session ('replay show' displays it).

Sessions that ran before replayctl recorded offsets are read from the start
of their topics, with a warning. A session that has not ended, a dry run and
a session that wrote to stdout are refused.

Memory is about 24 bytes per expected event (10 million events: ~250 MB).
--max-time bounds the whole verification; the global --timeout only bounds
reaching the servers.

Exit codes:
  0    nothing missing or unexpected (duplicates alone do not fail it)
  6    some events are missing or unexpected
  3    no such session
  4    the session has not ended (still running, paused, created), or was a dry run
  5    MongoDB or Kafka unavailable`,
		Example: `  # After a replay: did every event arrive?
  replayctl replay verify 3f1c9a1e

  # In CI: fail the job on a missing event, keep the report
  replayctl replay verify 3f1c9a1e -o json > verify.json

  # Replay and verify in one step
  replayctl replay run --type execution_failed --since 24h --verify`,
	}
	cmd.Flags().DurationVar(&opts.MaxTime, "max-time", defaultMaxTime, "give up on the verification after this long (0: no limit)")
	return bindSession(cmd, &opts.sessionOptions, opts, opts.check, runF, verifyRun)
}

func (o *VerifyOptions) check() error {
	if o.MaxTime < 0 {
		return usageHint("--max-time must not be negative", "use 0 for no limit")
	}
	return nil
}

func verifyRun(ctx context.Context, o *VerifyOptions) error {
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	rep, err := runVerify(ctx, o.Factory, o.ID, o.MaxTime)
	if err != nil {
		return err
	}
	return printVerify(p, rep)
}

// runVerify verifies one session within maxTime (0: unbounded).
func runVerify(ctx context.Context, f *cmdutil.Factory, id string, maxTime time.Duration) (*verify.Report, error) {
	w, err := f.Wiring(ctx)
	if err != nil {
		return nil, err
	}
	if maxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, maxTime)
		defer cancel()
	}
	return w.Verifier().Verify(ctx, id)
}

// printVerify prints the report; a report with missing or unexpected
// events is exit 6.
func printVerify(p *output.Printer, rep *verify.Report) error {
	if err := p.Print(verifyView{rep}); err != nil {
		return err
	}
	return verifyExit(rep)
}

func verifyExit(rep *verify.Report) error {
	if rep.Clean() {
		return nil
	}
	return exitcode.WithHint(exitcode.Partialf("session %s: %d of %d event(s) missing, %d unexpected",
		rep.SessionID, rep.Missing, rep.Expected, rep.Unexpected),
		fmt.Sprintf("see 'replayctl replay verify %s' for the events, and 'replayctl replay show %s' for the run's errors", rep.SessionID, rep.SessionID))
}
