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
	if r.err != nil || r.out != "prod\n" {
		t.Errorf("out %q, err %v", r.out, r.err)
	}
}

func TestCurrentContextNone(t *testing.T) {
	f := secretsFile()
	f.CurrentContext = ""
	for name, e := range map[string]*testEnv{"unset": newTestEnv(t, f), "no file": newTestEnv(t, nil)} {
		t.Run(name, func(t *testing.T) {
			r := e.run("config", "current-context")
			if r.code() != exitcode.Error || r.out != "" {
				t.Fatalf("code %d, out %q, err %v", r.code(), r.out, r.err)
			}
			if hint := cmdutil.HintOf(r.err); !strings.Contains(hint, "replayctl config use-context NAME") {
				t.Errorf("hint = %q", hint)
			}
		})
	}
}

// The file's current-context is printed even when REPLAYCTL_CONTEXT names
// a context that does not exist (kubectl behaves the same way).
func TestCurrentContextIgnoresBrokenSelection(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	e.env[config.EnvContext] = "nope"
	r := e.run("config", "current-context")
	if r.err != nil || r.out != "prod\n" {
		t.Errorf("out %q, err %v", r.out, r.err)
	}
}

func TestNewCmdCurrentContextArgs(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.run("config", "current-context", "x")
	if r.code() != exitcode.Usage {
		t.Errorf("code %d, err %v", r.code(), r.err)
	}
}
