package uicmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// warnSource is an empty source whose Ping warns on the factory's stderr,
// as an audit record that cannot be finished does.
type warnSource struct {
	f      *cmdutil.Factory
	pinged chan struct{}
}

func (s *warnSource) Ping(context.Context) dashboard.Health {
	fmt.Fprintln(s.f.IO.ErrOut, "Warning: held")
	select {
	case s.pinged <- struct{}{}:
	default:
	}
	return dashboard.Health{Context: "test"}
}
func (s *warnSource) Sessions(context.Context, int64) ([]dashboard.SessionRow, error) {
	return nil, nil
}
func (s *warnSource) Session(context.Context, string) (*replay.Info, error) { return nil, nil }
func (s *warnSource) DLQTopics(context.Context) ([]dlq.TopicSummary, error) { return nil, nil }
func (s *warnSource) ErrorGroups(context.Context, int64) ([]dlq.ErrorGroup, error) {
	return nil, nil
}
func (s *warnSource) Messages(context.Context, dlq.ListFilter) ([]contract.DLQMessage, int64, error) {
	return nil, 0, nil
}
func (s *warnSource) Message(context.Context, string) (*dashboard.MessageDetail, error) {
	return nil, nil
}
func (s *warnSource) Jobs(context.Context, int64) ([]dashboard.JobRow, error)     { return nil, nil }
func (s *warnSource) Workers(context.Context, int64) ([]dashboard.Holding, error) { return nil, nil }

// runDashboard runs the command's Run with a source that warns on stderr
// during the first refresh, presses q once it refreshed, and returns what
// went to stdout and stderr. warnedEarly says whether the warning reached
// stderr while the dashboard was still on screen.
func runDashboard(t *testing.T, color bool) (stdout, stderr string, warnedEarly bool) {
	t.Helper()
	ios, _, out, errOut := output.Test()
	ios.SetColorEnabled(color)
	pr, pw := io.Pipe()
	ios.In = pr
	f := cmdutil.New(ios, func(string) string { return "" }, time.Now)
	src := &warnSource{f: f, pinged: make(chan struct{}, 1)}
	opts := &Options{
		Factory: f, Refresh: time.Hour, ReadOnly: true,
		NewSource:  func(*cmdutil.Factory) (dashboard.Source, error) { return src, nil },
		NewActions: func(*cmdutil.Factory) dashboard.Actions { return nil },
	}
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), opts) }()
	select {
	case <-src.pinged:
	case <-time.After(30 * time.Second):
		t.Fatal("the dashboard never refreshed")
	}
	warnedEarly = strings.Contains(errOut.String(), "held")
	if _, err := pw.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("q did not quit the dashboard")
	}
	return out.String(), errOut.String(), warnedEarly
}

// TestRunDrawsQuitsOnQAndHoldsStderrUntilTheScreenIsRestored: a warning
// must reach stderr only after the program ended, never in the middle of
// the alternate screen.
func TestRunDrawsQuitsOnQAndHoldsStderrUntilTheScreenIsRestored(t *testing.T) {
	out, errOut, early := runDashboard(t, false)
	if early {
		t.Error("a warning reached stderr while the dashboard was on screen")
	}
	if !strings.Contains(out, "replayctl ui") {
		t.Errorf("nothing drawn: %q", out)
	}
	if !strings.Contains(errOut, "Warning: held") {
		t.Errorf("the held warning was not printed after the dashboard ended; stderr %q", errOut)
	}
}

// TestRunFollowsTheColourDecision: the dashboard colours exactly when the
// command's streams say so (TTY, NO_COLOR, --no-color decide that).
func TestRunFollowsTheColourDecision(t *testing.T) {
	const yellow = "\x1b[33m" // the header's "read-only", there from the first frame
	if out, _, _ := runDashboard(t, false); strings.Contains(out, yellow) {
		t.Errorf("colour without colour: %q", out)
	}
	if out, _, _ := runDashboard(t, true); !strings.Contains(out, yellow) {
		t.Errorf("no colour with colour: %q", out)
	}
}
