package uicmd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	uicmd "github.com/integr8scode/replayctl/internal/cli/ui"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/output"
)

// TestScriptCommandsExist keeps the no-terminal hint honest: every command
// it names is a command of the real tree, with the flags it shows.
func TestScriptCommandsExist(t *testing.T) {
	ios, _, _, _ := output.Test()
	f := cmdutil.New(ios, func(string) string { return "" }, time.Now)
	root := cli.NewCmdRoot(f, version.Info{})
	n := 0
	for _, line := range strings.Split(uicmd.ScriptCommands, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "replayctl" {
			continue
		}
		var words []string
		for _, w := range fields[1:] {
			if w == "-o" || strings.ToUpper(w) == w {
				break
			}
			words = append(words, w)
		}
		cmd, rest, err := root.Find(words)
		if err != nil || len(rest) > 0 || cmd == root {
			t.Errorf("%q names no command: found %q, left %v, %v", line, cmd.CommandPath(), rest, err)
			continue
		}
		if strings.Contains(line, "-o json") && cmd.Flags().Lookup("output") == nil && cmd.InheritedFlags().Lookup("output") == nil {
			t.Errorf("%q: %s has no -o", line, cmd.CommandPath())
		}
		n++
	}
	if n < 7 {
		t.Errorf("the hint names %d commands, want one per view and status (7)", n)
	}
}
