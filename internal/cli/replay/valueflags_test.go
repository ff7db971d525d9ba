package replaycmd

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// specCommands are the replay commands that take the filter flags.
func specCommands() map[string]func() *cobra.Command {
	f := flagFactory()
	return map[string]func() *cobra.Command{
		"create": func() *cobra.Command {
			return NewCmdCreate(f, clitest.NoRun[*CreateOptions])
		},
		"preview": func() *cobra.Command {
			return NewCmdPreview(f, clitest.NoRun[*PreviewOptions])
		},
		"run": func() *cobra.Command { return NewCmdRun(f, clitest.NoRun[*RunOptions]) },
	}
}

const timeWant = `: want a duration (90s, 15m, 1d12h), an RFC 3339 time or a date (2026-11-29)`

// replay reads --since and --until with the same parser as dlq: a plain
// date (UTC midnight) works as well as compound durations.
func TestReplayTimeFlagsAcceptEveryForm(t *testing.T) {
	for name, mk := range specCommands() {
		for _, flag := range []string{"--since", "--until"} {
			for _, v := range []string{"2026-11-19", "1d12h", "7d", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00"} {
				if err := clitest.Execute(mk(), flag, v); err != nil {
					t.Errorf("replay %s %s %s: %v", name, flag, v, err)
				}
			}
		}
	}
}

func TestReplayBadTimeValuesExitTwoWithTheSharedText(t *testing.T) {
	for name, mk := range specCommands() {
		for _, args := range [][]string{{"--since", "yesterday"}, {"--until", "-2h"}, {"--since", "2026-11-19T10:00"}} {
			err := clitest.Execute(mk(), args...)
			want := `invalid value "` + args[1] + `" for ` + args[0] + timeWant
			if cmdutil.ExitCode(err) != exitcode.Usage || err == nil || err.Error() != want {
				t.Errorf("replay %s %q: exit %d, %v; want exit 2, %q", name, args, cmdutil.ExitCode(err), err, want)
			}
		}
	}
}

func TestCleanupOlderThanTakesTheSameValues(t *testing.T) {
	for v, want := range map[string]time.Duration{
		"7d":         7 * 24 * time.Hour,
		"1d12h":      36 * time.Hour,
		"2026-11-19": 36 * time.Hour, // fixedNow is 2026-11-20T12:00Z
	} {
		o, err := parse(t, NewCmdCleanup, "--older-than", v)
		if err != nil || o.OlderThan != want {
			t.Errorf("--older-than %s: %+v, %v; want %v", v, o, err, want)
		}
	}
	for _, v := range []string{"yesterday", "-7d"} {
		o, err := parse(t, NewCmdCleanup, "--older-than", v)
		want := `invalid value "` + v + `" for --older-than` + timeWant
		if cmdutil.ExitCode(err) != exitcode.Usage || err == nil || err.Error() != want || o != nil {
			t.Errorf("--older-than %s: %v; want exit 2, %q", v, err, want)
		}
	}
}

func TestReplayTypeListsRejectEmptyElements(t *testing.T) {
	for name, mk := range specCommands() {
		for _, args := range [][]string{{"--type", "pod_failed,,pod_created"}, {"--exclude-type", "pod_failed, "}} {
			err := clitest.Execute(mk(), args...)
			if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), "for "+args[0]+": empty element") {
				t.Errorf("replay %s %q: %v; want exit 2 naming the empty element", name, args, err)
			}
		}
	}
}

func TestReplayListStatusUsesTheSharedChoiceText(t *testing.T) {
	o, err := parse(t, NewCmdList, "--status", "done")
	want := `invalid value "done" for --status: want one of preview, scheduled, created, running, paused, completed, failed, cancelled`
	if cmdutil.ExitCode(err) != exitcode.Usage || err == nil || err.Error() != want || o != nil {
		t.Errorf("err = %v; want %q", err, want)
	}
	o, err = parse(t, NewCmdList, "--status", "running,,paused")
	if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), "empty element") {
		t.Errorf("empty status element: %+v, %v", o, err)
	}
}

func TestReplayUnknownTypeTextMatchesDLQ(t *testing.T) {
	err := clitest.Execute(specCommands()["create"](), "--type", "execution_faild")
	if cmdutil.ExitCode(err) != exitcode.Usage || err == nil ||
		!strings.HasPrefix(err.Error(), `invalid value "execution_faild" for --type: unknown event type; did you mean execution_failed`) ||
		!strings.Contains(cmdutil.HintOf(err), "--allow-unknown-type") {
		t.Errorf("err = %v (hint %q)", err, cmdutil.HintOf(err))
	}
	if err := clitest.Execute(specCommands()["create"](), "--type", "brand_new", "--allow-unknown-type"); err != nil {
		t.Errorf("--allow-unknown-type: %v", err)
	}
}
