package configcmd

import (
	"strings"
	"testing"
)

// set-context --actor stores the context's actor (the global --actor is
// shadowed, as the connection flags are), an empty value removes it, and
// config view shows it.
func TestSetContextActor(t *testing.T) {
	e := newTestEnv(t, nil)
	f := e.factory()
	root := e.BuildRoot(f)
	root.SetArgs([]string{"config", "set-context", "ci", "--actor", " ci-nightly ", "--current"})
	cmd, err := root.ExecuteC()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.load().Context("ci"); got == nil || got.Actor != "ci-nightly" {
		t.Fatalf("context %+v, want actor ci-nightly", got)
	}
	if fl := root.PersistentFlags().Lookup("actor"); fl.Changed {
		t.Errorf("global --actor was set to %q", fl.Value.String())
	}
	if cmd.LocalFlags().Lookup("actor") == nil {
		t.Error("--actor is not a local flag of set-context")
	}
	if out := e.run("config", "view").Stdout; !strings.Contains(out, "actor: ci-nightly") {
		t.Errorf("config view does not show the actor:\n%s", out)
	}
	if r := e.run("config", "set-context", "ci", "--actor", ""); r.Err != nil {
		t.Fatal(r.Err)
	}
	if got, _ := e.load().Context("ci"); got == nil || got.Actor != "" {
		t.Errorf("context %+v, want the actor removed", got)
	}
}
