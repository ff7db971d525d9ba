package dlqcmd

import (
	"context"
	"testing"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestEditFlags(t *testing.T) {
	var got *EditOptions
	err := clitest.Execute(NewCmdEdit(flagFactory(), clitest.Capture(&got)), "3f2a", "--set", "metadata.user_id=u-2",
		"--set", "runtime_command.0=[1]", "--reason", " typo ", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	if got.EventID != "3f2a" || len(got.sets) != 2 || got.Reason != "typo" || !got.DryRun {
		t.Fatalf("options %+v", got)
	}
	if p := got.sets[1]; len(p.Path) != 2 || p.Path[1] != "0" || string(p.Value.Compact()) != "[1]" {
		t.Fatalf("second --set %+v", p)
	}
	bad := []struct {
		name      string
		args      []string
		fragments []string
	}{
		{"no terminal, no input", []string{"3f2a"}, []string{"--from-file", "--set"}},
		{"both inputs", []string{"3f2a", "--from-file", "x.json", "--set", "a=1"}, []string{"from-file", "set"}},
		{"set without =", []string{"3f2a", "--set", "metadata.user_id"}, []string{"--set", "PATH=VALUE"}},
		{"empty path segment", []string{"3f2a", "--set", "metadata..user_id=1"}, []string{"empty segment"}},
		{"no id", nil, []string{"EVENT_ID"}},
		{"blank id", []string{" ", "--set", "a=1"}, []string{"EVENT_ID"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			err := clitest.Execute(NewCmdEdit(flagFactory(), func(_ context.Context, _ *EditOptions) error { return errRan }), c.args...)
			clitest.WantCode(t, err, exitcode.Usage, c.fragments...)
		})
	}
}
