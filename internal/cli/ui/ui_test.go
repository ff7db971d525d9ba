package uicmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// runUI runs `replayctl ui args` on a root with the real global flags and
// terminals as given; it returns the exit code, what the user sees on
// stderr, and the options the run got (nil when it never ran).
func runUI(t *testing.T, stdinTTY, stdoutTTY bool, args ...string) (exitcode.Code, string, *Options) {
	t.Helper()
	ios, _, _, errOut := output.Test()
	ios.SetStdinTTY(stdinTTY)
	ios.SetStdoutTTY(stdoutTTY)
	f := cmdutil.New(ios, func(string) string { return "" }, time.Now)
	var got *Options
	root := &cobra.Command{Use: "replayctl", SilenceErrors: true, SilenceUsage: true}
	cmdutil.AddGlobalFlags(root, f)
	root.AddCommand(NewCmdUI(f, func(_ context.Context, o *Options) error { got = o; return nil }))
	root.SetArgs(append([]string{"ui"}, args...))
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	err := root.Execute()
	cmdutil.PrintError(errOut, output.NewStyles(false), err)
	return cmdutil.ExitCode(err), errOut.String(), got
}

func TestUIWithoutATerminalExits2AndNamesTheScriptCommands(t *testing.T) {
	for _, tc := range []struct {
		name          string
		stdin, stdout bool
	}{
		{"neither", false, false},
		{"stdin only", true, false},
		{"stdout only", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr, ran := runUI(t, tc.stdin, tc.stdout)
			if code != exitcode.Usage {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if ran != nil {
				t.Error("the dashboard started without a terminal")
			}
			for _, want := range []string{"needs a terminal on stdin and stdout", "replay list -o json", "dlq topics", "dlq errors", "dlq list", "dlq jobs list", "leases -o json", "status"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not name %q:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestUIFlags(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     exitcode.Code
		refresh  time.Duration
		readOnly bool
	}{
		{nil, exitcode.OK, 2 * time.Second, false},
		{[]string{"--refresh", "5s", "--read-only"}, exitcode.OK, 5 * time.Second, true},
		{[]string{"--refresh", "200ms"}, exitcode.OK, 200 * time.Millisecond, false},
		{[]string{"--refresh", "100ms"}, exitcode.Usage, 0, false},
		{[]string{"--refresh", "0s"}, exitcode.Usage, 0, false},
		{[]string{"--refresh", "-1s"}, exitcode.Usage, 0, false},
		{[]string{"extra"}, exitcode.Usage, 0, false},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stderr, got := runUI(t, true, true, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if tc.code != exitcode.OK {
				if got != nil {
					t.Error("the dashboard started with invalid flags")
				}
				return
			}
			if got.Refresh != tc.refresh || got.ReadOnly != tc.readOnly {
				t.Errorf("options refresh %s read-only %v, want %s %v", got.Refresh, got.ReadOnly, tc.refresh, tc.readOnly)
			}
		})
	}
}
