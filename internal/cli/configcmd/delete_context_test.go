package configcmd

import (
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestDeleteContext(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "delete-context", "dev")
	if r.Err != nil || r.Stdout != "Deleted context \"dev\".\n" || r.Stderr != "" {
		t.Fatalf("out %q, errOut %q, err %v", r.Stdout, r.Stderr, r.Err)
	}
	got := e.load()
	if strings.Join(got.ContextNames(), ",") != "prod,atlas" || got.CurrentContext != "prod" {
		t.Errorf("file = %+v", got)
	}
}

func TestDeleteCurrentContext(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "delete-context", "prod")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if !strings.Contains(r.Stderr, "no context is current") {
		t.Errorf("errOut = %q", r.Stderr)
	}
	if got := e.load(); got.CurrentContext != "" {
		t.Errorf("current-context = %q", got.CurrentContext)
	}
	// The current context is gone; the next command still works.
	if r := e.run("config", "get-contexts"); r.Err != nil {
		t.Errorf("get-contexts after deleting the current context: %v", r.Err)
	}
}

func TestDeleteContextNotFound(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	before := e.raw()
	r := e.run("config", "delete-context", "nope")
	if r.Code != exitcode.NotFound || !strings.Contains(r.Err.Error(), "dev, prod, atlas") {
		t.Fatalf("code %d, err %v", r.Code, r.Err)
	}
	if e.raw() != before {
		t.Error("file changed")
	}
}

func TestDeleteContextArgs(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	if r := e.run("config", "delete-context"); r.Code != exitcode.Usage {
		t.Errorf("no args: code %d, err %v", r.Code, r.Err)
	}
	f := e.factory()
	var got *DeleteContextOptions
	cmd := NewCmdDeleteContext(f, clitest.Capture(&got))
	cmd.SetArgs([]string{"dev"})
	if err := cmd.Execute(); err != nil || got.Name != "dev" {
		t.Errorf("name %q, err %v", got.Name, err)
	}
}
