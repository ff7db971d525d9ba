package configcmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestCommandsHaveHelpText(t *testing.T) {
	e := newTestEnv(t, nil)
	f := e.factory()
	cmd := NewCmdConfig(f)
	want := []string{"view", "get-contexts", "current-context", "use-context", "set-context", "delete-context"}
	var got []string
	check := func(c *cobra.Command) {
		if c.Short == "" || c.Long == "" || c.Example == "" {
			t.Errorf("%s lacks Short, Long or Example", c.CommandPath())
		}
		for _, line := range strings.Split(c.Example, "\n") {
			if line != "" && !strings.HasPrefix(line, "  ") {
				t.Errorf("%s: example line %q is not indented", c.CommandPath(), line)
			}
		}
	}
	check(cmd)
	for _, c := range cmd.Commands() {
		got = append(got, c.Name())
		check(c)
	}
	if strings.Join(got, ",") != strings.Join(sortedCopy(want), ",") {
		t.Errorf("subcommands %v, want %v", got, want)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestConfigWithoutVerbShowsHelp(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.run("config")
	if r.Err != nil || !strings.Contains(r.Stdout, "set-context") {
		t.Errorf("out %q, err %v", r.Stdout, r.Err)
	}
	if r := e.run("config", "nope"); r.Code != exitcode.Usage {
		t.Errorf("unknown verb: code %d, err %v", r.Code, r.Err)
	}
}

// A bad file is reported, naming the file, and never rewritten.
func TestBadConfigFile(t *testing.T) {
	e := newTestEnv(t, nil)
	writeRaw(t, e.path, "contexts:\n  - name: a\n    mongo_uri: x\n")
	for _, args := range [][]string{
		{"config", "view"}, {"config", "use-context", "a"}, {"config", "set-context", "a", "--database", "d"}, {"config", "delete-context", "a"},
	} {
		r := e.run(args...)
		if r.Err == nil || !strings.Contains(r.Err.Error(), e.path) || !strings.Contains(r.Err.Error(), "line 3") {
			t.Errorf("%v: err %v", args, r.Err)
		}
		if e.raw() != "contexts:\n  - name: a\n    mongo_uri: x\n" {
			t.Errorf("%v rewrote the bad file", args)
		}
	}
}

// Commands that repair the file work while the selected context's values
// are invalid.
func TestRepairInvalidCurrentContext(t *testing.T) {
	e := newTestEnv(t, nil)
	writeRaw(t, e.path, "current-context: a\ncontexts:\n  - name: a\n    sasl:\n      mechanism: GSSAPI\n      username: u\n")
	r := e.run("config", "set-context", "a", "--sasl-mechanism", "PLAIN")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if got, _ := e.load().Context("a"); got.SASL.Mechanism != "PLAIN" {
		t.Errorf("sasl = %+v", got.SASL)
	}
	if _, _, err := config.Resolve(nil, func(k string) string { return e.Vars[k] }); err != nil {
		t.Errorf("settings still invalid after repair: %v", err)
	}
}

func TestCompletion(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("__complete", "config", "use-context", "")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	for _, name := range []string{"dev", "prod", "atlas"} {
		if !strings.Contains(r.Stdout, name+"\n") {
			t.Errorf("completion lacks %q:\n%s", name, r.Stdout)
		}
	}
	r = e.run("__complete", "config", "set-context", "x", "--sasl-mechanism", "")
	if r.Err != nil || !strings.Contains(r.Stdout, "SCRAM-SHA-512") {
		t.Errorf("mechanism completion: %q, %v", r.Stdout, r.Err)
	}
}
