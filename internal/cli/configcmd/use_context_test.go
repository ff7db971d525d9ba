package configcmd

import (
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestUseContext(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "use-context", "dev")
	if r.Err != nil || r.Stdout != "Switched to context \"dev\".\n" || r.Stderr != "" {
		t.Fatalf("out %q, errOut %q, err %v", r.Stdout, r.Stderr, r.Err)
	}
	if got := e.load().CurrentContext; got != "dev" {
		t.Errorf("current-context = %q", got)
	}
	// Nothing else in the file changed.
	want := secretsFile()
	want.CurrentContext = "dev"
	if got := e.load(); !equalFiles(got, want) {
		t.Errorf("file = %+v", got)
	}
}

func TestUseContextNotFound(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	before := e.raw()
	r := e.run("config", "use-context", "nope")
	if r.Code != exitcode.NotFound {
		t.Fatalf("code %d, err %v", r.Code, r.Err)
	}
	for _, want := range []string{`"nope"`, "dev, prod, atlas"} {
		if !strings.Contains(r.Err.Error(), want) {
			t.Errorf("error %q does not contain %q", r.Err, want)
		}
	}
	if e.raw() != before {
		t.Error("file changed")
	}

	e = newTestEnv(t, nil)
	r = e.run("config", "use-context", "nope")
	if r.Code != exitcode.NotFound || !strings.Contains(cmdutil.HintOf(r.Err), "set-context") {
		t.Errorf("empty file: code %d, err %v, hint %q", r.Code, r.Err, cmdutil.HintOf(r.Err))
	}
}

// use-context is how an operator repairs a current-context (or
// REPLAYCTL_CONTEXT) that names a missing context, so it must not need
// the broken selection to resolve.
func TestUseContextRepairsBrokenSelection(t *testing.T) {
	f := secretsFile()
	f.CurrentContext = "deleted-by-hand"
	e := newTestEnv(t, f)
	if r := e.run("config", "use-context", "dev"); r.Err != nil {
		t.Fatalf("dangling current-context: %v", r.Err)
	}
	if got := e.load().CurrentContext; got != "dev" {
		t.Errorf("current-context = %q", got)
	}

	e.Vars[config.EnvContext] = "typo"
	r := e.run("config", "use-context", "prod")
	if r.Err != nil {
		t.Fatalf("bad REPLAYCTL_CONTEXT: %v", r.Err)
	}
	if !strings.Contains(r.Stderr, "REPLAYCTL_CONTEXT=typo") {
		t.Errorf("no warning about REPLAYCTL_CONTEXT: %q", r.Stderr)
	}
}

func TestUseContextArgs(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	for _, args := range [][]string{{}, {"a", "b"}} {
		r := e.run(append([]string{"config", "use-context"}, args...)...)
		if r.Code != exitcode.Usage {
			t.Errorf("args %v: code %d, err %v", args, r.Code, r.Err)
		}
	}
	f := e.factory()
	var got *UseContextOptions
	cmd := NewCmdUseContext(f, clitest.Capture(&got))
	cmd.SetArgs([]string{"prod"})
	if err := cmd.Execute(); err != nil || got.Name != "prod" {
		t.Errorf("name %q, err %v", got.Name, err)
	}
}

func equalFiles(a, b *config.File) bool {
	return a.CurrentContext == b.CurrentContext &&
		strings.Join(a.ContextNames(), ",") == strings.Join(b.ContextNames(), ",") &&
		a.Contexts[1].SASL.Password == b.Contexts[1].SASL.Password &&
		a.Contexts[1].MongoURI == b.Contexts[1].MongoURI
}
