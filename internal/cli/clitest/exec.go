package clitest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// Term is the terminal a command under test sees.
type Term struct {
	TTY   bool   // stdin, stdout and stderr are a terminal
	Width int    // columns; 0 keeps output.Test's default
	Stdin string // what the operator types
}

// Streams returns captured IO streams shaped by term.
func (term Term) Streams() (ios *output.IOStreams, out, errOut *bytes.Buffer) {
	ios, in, out, errOut := output.Test()
	in.WriteString(term.Stdin)
	if term.TTY {
		ios.SetStdinTTY(true)
		ios.SetStdoutTTY(true)
		ios.SetStderrTTY(true)
	}
	if term.Width > 0 {
		ios.SetTerminalWidth(term.Width)
	}
	return ios, out, errOut
}

// Exec runs cmd with args in process the way main runs the root command:
// wired to ios, flag errors as usage errors, cobra printing nothing itself.
// The error is returned, not printed, so each harness decides what its
// stderr should hold.
func Exec(ctx context.Context, cmd *cobra.Command, ios *output.IOStreams, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetIn(ios.In)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	return cmd.ExecuteContext(ctx)
}

// Execute runs a command built on its own, as flag tests do, where only
// the error matters.
func Execute(cmd *cobra.Command, args ...string) error {
	ios, _, _ := Term{}.Streams()
	return Exec(context.Background(), cmd, ios, args...)
}

// WantCode fails unless err maps to code; it also checks that the error
// or its hint mentions every fragment.
func WantCode(t testing.TB, err error, code exitcode.Code, fragments ...string) {
	t.Helper()
	if got := cmdutil.ExitCode(err); got != code {
		t.Fatalf("exit code = %d, want %d (err: %v)", got, code, err)
	}
	for _, f := range fragments {
		if err == nil || !strings.Contains(err.Error()+" "+cmdutil.HintOf(err), f) {
			t.Errorf("error %q (hint %q) should mention %q", err, cmdutil.HintOf(err), f)
		}
	}
}

// NoRun is a run function for flag tests that only parse: it does nothing.
func NoRun[O any](context.Context, O) error { return nil }

// Capture is a run function for flag tests that keeps the options the
// command would have run with in *dst.
func Capture[O any](dst *O) func(context.Context, O) error {
	return func(_ context.Context, o O) error {
		*dst = o
		return nil
	}
}
