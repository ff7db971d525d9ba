package dlqcmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

func TestPage(t *testing.T) {
	rows := []int{1, 2, 3, 4, 5}
	cases := []struct {
		limit, offset int64
		want          int
	}{{0, 0, 5}, {2, 0, 2}, {2, 4, 1}, {0, 3, 2}, {1, 5, 0}, {3, 9, 0}}
	for _, c := range cases {
		if got := page(rows, c.limit, c.offset); len(got) != c.want {
			t.Errorf("page(limit %d, offset %d) = %v", c.limit, c.offset, got)
		}
	}
}

func TestPresetFor(t *testing.T) {
	for typ, want := range map[string]string{
		"execution_failed": "aggressive", "create_pod_command": "aggressive", "pod_failed": "cautious",
		"result_stored": "immediate", "user_login": "default", "brand_new_type": "default",
	} {
		if p, ok := presetFor(dlq.Presets(), typ); !ok || p.Name != want {
			t.Errorf("presetFor(%s) = %s, want %s", typ, p.Name, want)
		}
	}
}

func TestMergePolicyDefaultsFromPreset(t *testing.T) {
	five := 5
	opts := &PolicySetOptions{Strategy: dlq.StrategyFixed, MaxRetries: &five}
	got, err := mergePolicy(opts, dlq.Presets(), "pod_failed")
	if err != nil {
		t.Fatal(err)
	}
	want := dlq.Policy{Strategy: dlq.StrategyFixed, MaxRetries: 5, BaseDelay: time.Minute, MaxDelay: 10 * time.Minute, Multiplier: 3, Jitter: 0.1}
	if got != want {
		t.Errorf("merged %+v, want %+v", got, want)
	}
	// The immediate preset has no delays: a delayed strategy gets the
	// platform's defaults instead, keeping the preset's retry count.
	got, err = mergePolicy(&PolicySetOptions{Strategy: dlq.StrategyExponential}, dlq.Presets(), "result_stored")
	if err != nil {
		t.Fatal(err)
	}
	if got.MaxRetries != 3 || got.BaseDelay == 0 || got.MaxDelay == 0 || got.Multiplier < 1 {
		t.Errorf("from immediate preset: %+v", got)
	}
	small := 5 * time.Second
	_, err = mergePolicy(&PolicySetOptions{Strategy: dlq.StrategyFixed, MaxDelay: &small}, dlq.Presets(), "execution_failed")
	if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(cmdutil.HintOf(err), "aggressive") {
		t.Errorf("max delay below the preset's base delay should be a usage error naming the preset: %v (%s)", err, cmdutil.HintOf(err))
	}
}

func TestEventIDCompletions(t *testing.T) {
	msgs := fixtureMessages(t)
	got := eventIDCompletions(msgs, "3f", nil)
	if len(got) != 1 || got[0] != "3f2a9c1e-77b0-4d7e-9a43-2f6f0f5a8d11\texecution_failed scheduled" {
		t.Errorf("completions %q", got)
	}
	if got := eventIDCompletions(msgs, "", []string{"3f2a9c1e-77b0-4d7e-9a43-2f6f0f5a8d11"}); len(got) != 1 {
		t.Errorf("ids already given should not be offered again: %q", got)
	}
	out, _ := completeStatuses(nil, nil, "")
	if len(out) != len(contract.DLQStatuses) {
		t.Errorf("statuses %q", out)
	}
}

// promptStreams are test streams that can (or cannot) prompt, with the
// operator's answer waiting on stdin.
func promptStreams(tty bool, answer string) (*output.IOStreams, *bytes.Buffer) {
	ios, in, _, errOut := output.Test()
	ios.SetStdinTTY(tty)
	ios.SetStdoutTTY(tty)
	in.WriteString(answer)
	return ios, errOut
}

func TestConfirmBulk(t *testing.T) {
	msgs := fixtureMessages(t)
	bulk := &dlq.Plan{Messages: msgs, Refused: []dlq.Refusal{{EventID: "x", Status: "retried"}}}
	act := batchAction{verb: "retry"}
	cases := []struct {
		name   string
		tty    bool
		format output.Format
		yes    bool
		answer string
		want   exitcode.Code
	}{
		{"no terminal, no --yes", false, output.FormatTable, false, "", exitcode.Usage},
		{"json, no --yes, even on a terminal", true, output.FormatJSON, false, "y\n", exitcode.Usage},
		{"no terminal, --yes", false, output.FormatTable, true, "", exitcode.OK},
		{"terminal, yes", true, output.FormatTable, false, "y\n", exitcode.OK},
		{"terminal, default no", true, output.FormatTable, false, "\n", exitcode.Error},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ios, errOut := promptStreams(c.tty, c.answer)
			err := confirmBulk(ios, output.NewPrinter(ios, c.format), &BatchOptions{Yes: c.yes}, bulk, act)
			clitest.WantCode(t, err, c.want)
			if !strings.Contains(errOut.String(), "About to retry 2 messages: 1 to execution_failed, 1 to pod_failed (1 more refused") {
				t.Errorf("bulk summary missing from stderr: %q", errOut.String())
			}
		})
	}
	single := &dlq.Plan{Messages: msgs[:1]}
	ios, _ := promptStreams(false, "")
	if err := confirmBulk(ios, output.NewPrinter(ios, output.FormatJSON), &BatchOptions{}, single, act); err != nil {
		t.Errorf("one message needs no confirmation: %v", err)
	}
}

func TestOutcome(t *testing.T) {
	act := batchAction{verb: "retry"}
	clitest.WantCode(t, outcome(batchView{Succeeded: 48, Failed: 2, Refused: 3}, 50, act), exitcode.Partial, "2 of 50 messages failed to retry")
	clitest.WantCode(t, outcome(batchView{Succeeded: 0, Failed: 1}, 1, act), exitcode.Partial)
	clitest.WantCode(t, outcome(batchView{Succeeded: 5, Refused: 3}, 5, act), exitcode.OK)
	clitest.WantCode(t, outcome(batchView{Refused: 2}, 2, act), exitcode.InvalidState, "refused")
}
