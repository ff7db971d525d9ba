package configcmd

import (
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestCurrentContext(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "current-context")
	if r.Err != nil || r.Stdout != "prod\n" {
		t.Errorf("out %q, err %v", r.Stdout, r.Err)
	}
}

func TestCurrentContextNone(t *testing.T) {
	f := secretsFile()
	f.CurrentContext = ""
	for name, e := range map[string]*testEnv{"unset": newTestEnv(t, f), "no file": newTestEnv(t, nil)} {
		t.Run(name, func(t *testing.T) {
			r := e.run("config", "current-context")
			if r.Code != exitcode.Error || r.Stdout != "" {
				t.Fatalf("code %d, out %q, err %v", r.Code, r.Stdout, r.Err)
			}
			if hint := cmdutil.HintOf(r.Err); !strings.Contains(hint, "replayctl config use-context NAME") {
				t.Errorf("hint = %q", hint)
			}
		})
	}
}

// The file's current-context is printed even when REPLAYCTL_CONTEXT names
// a context that does not exist (kubectl behaves the same way).
func TestCurrentContextIgnoresBrokenSelection(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	e.Vars[config.EnvContext] = "nope"
	r := e.run("config", "current-context")
	if r.Err != nil || r.Stdout != "prod\n" {
		t.Errorf("out %q, err %v", r.Stdout, r.Err)
	}
}

func TestNewCmdCurrentContextArgs(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.run("config", "current-context", "x")
	if r.Code != exitcode.Usage {
		t.Errorf("code %d, err %v", r.Code, r.Err)
	}
}
