package dlqcmd

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// filterCommands are every dlq command that takes the shared filter flags,
// with the arguments each needs besides them.
func filterCommands() map[string]func() (*cobra.Command, []string) {
	f := flagFactory()
	return map[string]func() (*cobra.Command, []string){
		"list": func() (*cobra.Command, []string) {
			return NewCmdList(f, clitest.NoRun[*ListOptions]), nil
		},
		"topics": func() (*cobra.Command, []string) {
			return NewCmdTopics(f, clitest.NoRun[*TopicsOptions]), nil
		},
		"errors": func() (*cobra.Command, []string) {
			return NewCmdErrors(f, clitest.NoRun[*ErrorsOptions]), nil
		},
		"retry": func() (*cobra.Command, []string) {
			return NewCmdRetry(f, clitest.NoRun[*RetryOptions]), []string{"--all"}
		},
		"discard": func() (*cobra.Command, []string) {
			return NewCmdDiscard(f, clitest.NoRun[*DiscardOptions]), []string{"--all", "--reason", "test"}
		},
	}
}

// Every dlq command reads --since and --until with the same parser as
// replay: compound durations with days, RFC 3339 and plain dates.
func TestDLQTimeFlagsAcceptEveryForm(t *testing.T) {
	for name, mk := range filterCommands() {
		for _, flag := range []string{"--since", "--until"} {
			for _, v := range []string{"1d12h", "7d", "90s", "2024-04-29", "2024-04-29T10:00:00Z"} {
				cmd, extra := mk()
				if err := clitest.Execute(cmd, append(extra, flag, v)...); err != nil {
					t.Errorf("dlq %s %s %s: %v", name, flag, v, err)
				}
			}
		}
	}
}

func TestDLQListSinceValues(t *testing.T) {
	for v, want := range map[string]time.Time{
		"1d12h":      testNow.Add(-36 * time.Hour),
		"2024-04-29": time.Date(2024, 4, 29, 0, 0, 0, 0, time.UTC),
	} {
		var got *ListOptions
		err := clitest.Execute(NewCmdList(flagFactory(), clitest.Capture(&got)), "--since", v)
		if err != nil || got.Filter.Since == nil || !got.Filter.Since.Equal(want) {
			t.Errorf("--since %s: %v, %v; want %v", v, got, err, want)
		}
	}
}

func TestDLQBadValuesExitTwoWithTheSharedText(t *testing.T) {
	cases := []struct{ args []string }{
		{[]string{"--since", "yesterday"}},
		{[]string{"--until", "-2h"}},
	}
	for name, mk := range filterCommands() {
		for _, c := range cases {
			cmd, extra := mk()
			err := clitest.Execute(cmd, append(extra, c.args...)...)
			want := `invalid value "` + c.args[1] + `" for ` + c.args[0] +
				`: want a duration (90s, 15m, 1d12h), an RFC 3339 time or a date (2026-11-29)`
			if cmdutil.ExitCode(err) != exitcode.Usage || err.Error() != want {
				t.Errorf("dlq %s %q: exit %d, %v; want exit 2, %q", name, c.args, cmdutil.ExitCode(err), err, want)
			}
		}
	}
}

func TestDLQListValuesRejectEmptyElements(t *testing.T) {
	for _, args := range [][]string{
		{"--type", "pod_failed,,execution_failed"},
		{"--status", "pending,"},
		{"--topic", "a, ,b"},
	} {
		err := clitest.Execute(NewCmdList(flagFactory(), clitest.NoRun[*ListOptions]), args...)
		if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), "for "+args[0]+": empty element") {
			t.Errorf("dlq list %q: %v; want exit 2 naming the empty element", args, err)
		}
	}
}

func TestDLQStatusErrorIsTheSharedChoiceText(t *testing.T) {
	err := clitest.Execute(NewCmdList(flagFactory(), clitest.NoRun[*ListOptions]), "--status", "done")
	want := `invalid value "done" for --status: want one of pending, scheduled, retried, discarded`
	if cmdutil.ExitCode(err) != exitcode.Usage || err == nil || err.Error() != want {
		t.Errorf("err = %v; want %q", err, want)
	}
}

// Delays take the shared duration syntax or seconds; seconds beyond what a
// duration holds, and NaN or infinities, are refused rather than converted
// (the conversion differs between amd64 and arm64).
func TestPolicyDelays(t *testing.T) {
	for v, want := range map[string]time.Duration{"90": 90 * time.Second, "1.5": 1500 * time.Millisecond, "2m": 2 * time.Minute, "1d": 24 * time.Hour} {
		if got, err := parseDelay("base-delay", v); err != nil || got != want {
			t.Errorf("parseDelay(%q) = %v, %v; want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"-5s", "-1", "NaN", "Inf", "+Inf", "1e300", "9.3e9", "soon", ""} {
		_, err := parseDelay("base-delay", v)
		want := `invalid value "` + v + `" for --base-delay: want a duration (30s, 5m, 1h30m, 1d) or a number of seconds, 0 or more`
		if cmdutil.ExitCode(err) != exitcode.Usage || err.Error() != want {
			t.Errorf("parseDelay(%q) error = %v; want %q", v, err, want)
		}
	}
}
