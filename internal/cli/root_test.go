package cli_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newEnv runs the whole command tree, as main builds it.
func newEnv(t *testing.T) *clitest.Env {
	e := clitest.New(t, nil)
	e.Root = func(f *cmdutil.Factory) *cobra.Command {
		return cli.NewCmdRoot(f, version.Info{Version: "test", Commit: "abc", Date: "today"})
	}
	return e
}

func run(t *testing.T, e *clitest.Env, args ...string) clitest.Result {
	t.Helper()
	return e.Run(args...)
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	e := newEnv(t)
	r := run(t, e, "--help")
	if r.Code != exitcode.OK {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	for _, want := range []string{"Exit codes:", "5    MongoDB or Kafka unavailable", "130  interrupted"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("--help lacks %q:\n%s", want, r.Stdout)
		}
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	e := newEnv(t)
	cases := [][]string{
		{"no-such-command"},
		{"status", "--no-such-flag"},
		{"status", "extra-arg"},
		{"status", "--timeout", "soon"},
		{"status", "-o", "xml"},
	}
	for _, args := range cases {
		r := run(t, e, args...)
		if r.Code != exitcode.Usage {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, r.Code, r.Stderr)
		}
		if !strings.HasPrefix(r.Stderr, "Error: ") || strings.Count(strings.TrimSpace(r.Stderr), "\n") > 1 {
			t.Errorf("%v: want a one-line error (plus hint), got %q", args, r.Stderr)
		}
	}
}

func TestVersionPrintsInjectedBuildInfo(t *testing.T) {
	e := newEnv(t)
	r := run(t, e, "version", "-o", "json")
	var v version.Info
	if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil || v.Version != "test" || v.Commit != "abc" {
		t.Fatalf("version json %q: %v", r.Stdout, err)
	}
	if r := run(t, e, "--version"); !strings.Contains(r.Stdout, "replayctl test (commit abc") {
		t.Fatalf("--version printed %q", r.Stdout)
	}
}

// The harness mounts commands under test on a root of its own; its
// persistent flags must be the real root's, names, shorthands, defaults
// and help alike, or tests would parse command lines the binary rejects.
func TestHarnessRootHasTheRealGlobalFlags(t *testing.T) {
	e := clitest.NewOffline(t, nil)
	ios, _, _ := clitest.Term{}.Streams()
	f := e.NewFactory(ios)
	defer f.Close()
	describe := func(root *cobra.Command) []string {
		var out []string
		root.PersistentFlags().VisitAll(func(fl *pflag.Flag) {
			out = append(out, strings.Join([]string{fl.Name, fl.Shorthand, fl.Value.Type(), fl.DefValue, fl.Usage}, "|"))
		})
		return out
	}
	real, harness := describe(cli.NewCmdRoot(f, version.Info{})), describe(e.BuildRoot(f))
	if len(real) == 0 || !slices.Equal(real, harness) {
		t.Errorf("global flags differ\nreal:    %q\nharness: %q", real, harness)
	}
}
