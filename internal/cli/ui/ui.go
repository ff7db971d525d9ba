// Package uicmd implements `replayctl ui`, the terminal dashboard.
package uicmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// minRefresh keeps the dashboard from hammering the servers: every refresh
// pings both and runs a query.
const minRefresh = 200 * time.Millisecond

// Options are ui's inputs.
type Options struct {
	Factory  *cmdutil.Factory
	Refresh  time.Duration
	ReadOnly bool
	// NewSource and NewActions build the dashboard's ports from the
	// factory; tests replace them.
	NewSource  func(*cmdutil.Factory) (dashboard.Source, error)
	NewActions func(*cmdutil.Factory) dashboard.Actions
}

// scriptCommands give what each view shows, for scripts.
const scriptCommands = `For scripts, the same data comes from:
  replayctl replay list -o json      replay sessions (replay show ID for one)
  replayctl dlq topics -o json       DLQ counts per topic
  replayctl dlq errors -o json       failures grouped by error
  replayctl dlq list -o json         DLQ messages (dlq show EVENT_ID for one)
  replayctl dlq jobs list -o json    redrive jobs
  replayctl leases -o json           who holds which session or job
  replayctl status -o json           servers and counts`

// NewCmdUI builds `replayctl ui`; runF replaces the run in flag tests.
func NewCmdUI(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f, NewSource: NewSource, NewActions: NewActions}
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Watch sessions, the DLQ, jobs and workers live in a terminal dashboard",
		Long: `ui opens a live dashboard of the configured context: replay sessions,
DLQ topics, error groups, DLQ messages, redrive jobs and the workers holding
their leases, refreshed every --refresh. Each refresh runs one bounded query
for the view on screen plus a ping of MongoDB and Kafka, off the screen's
thread: an unreachable server shows as a banner over the last data, with its
age, and the dashboard recovers by itself when the server is back.

Keys: 1-6 or tab/shift-tab switch views, arrows or j/k move, enter opens,
esc goes back or clears the filter, / filters the list, ? lists every key,
q or ctrl-c quits. Actions, each confirmed in a dialog and recorded in the
audit trail like the matching command: p pause, r resume, c cancel a session;
space marks messages, R retry, D discard (with a reason), e edit in $EDITOR;
c cancels a job. --read-only disables every action.

ui needs a terminal on stdin and stdout; without one it exits 2 and names
the commands that give the same data for scripts. NO_COLOR and --no-color
turn colour off.`,
		Example: `  replayctl ui
  replayctl --context prod ui --read-only
  replayctl ui --refresh 5s`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Refresh < minRefresh {
				return exitcode.Usagef("invalid value %q for --refresh: want at least %s", opts.Refresh.String(), minRefresh)
			}
			if !f.IO.IsStdinTTY() || !f.IO.IsStdoutTTY() {
				return exitcode.WithHint(exitcode.Usagef("replayctl ui needs a terminal on stdin and stdout"), scriptCommands)
			}
			return cmdutil.Run(cmd, opts, runF, Run)
		},
	}
	cmd.Flags().DurationVar(&opts.Refresh, "refresh", 2*time.Second, "time between refreshes (at least 200ms)")
	cmd.Flags().BoolVar(&opts.ReadOnly, "read-only", false, "disable every action: watch only")
	return cmd
}

// Run opens the dashboard and blocks until the user quits or ctx ends.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	s, err := f.Settings()
	if err != nil {
		return err
	}
	src, err := opts.NewSource(f)
	if err != nil {
		return err
	}
	var acts dashboard.Actions
	if !opts.ReadOnly {
		acts = opts.NewActions(f)
	}
	m := dashboard.New(dashboard.Options{
		Source: src, Actions: acts, ReadOnly: opts.ReadOnly, Refresh: opts.Refresh,
		Color: f.IO.ColorEnabled(), Context: s.ContextName,
	})
	// A warning written to stderr while the alternate screen is up (an
	// audit record that could not be finished) would tear the frame: it is
	// held and printed once the terminal is restored. Commands still
	// running after the program ends keep the held writer, which then
	// passes their writes straight on.
	held := &heldWriter{}
	errOut := f.IO.ErrOut
	f.IO.ErrOut = held
	defer held.release(errOut)
	if a, ok := acts.(*actions); ok {
		defer a.drafts.close(held) // after the program, before the release
	}
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(f.IO.In), tea.WithOutput(f.IO.Out))
	if _, err := p.Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("run the dashboard: %w", err)
	}
	return nil
}

// heldWriter keeps what is written to it, from any goroutine, until
// release; then it writes through.
type heldWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	to  io.Writer
}

func (w *heldWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.to != nil {
		return w.to.Write(p)
	}
	return w.buf.Write(p)
}

// release writes what was held to to, and every later write too.
func (w *heldWriter) release(to io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.to = to
	_, _ = to.Write(w.buf.Bytes())
	w.buf.Reset()
}
