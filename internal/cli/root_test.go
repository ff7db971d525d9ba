package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func run(t *testing.T, e *clitest.Env, args ...string) clitest.Result {
	t.Helper()
	root := cli.NewCmdRoot(e.Factory, version.Info{Version: "test", Commit: "abc", Date: "today"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return e.Run(ctx, root, args...)
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	e := clitest.New(t)
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
	e := clitest.New(t)
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
	e := clitest.New(t)
	r := run(t, e, "version", "-o", "json")
	var v version.Info
	if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil || v.Version != "test" || v.Commit != "abc" {
		t.Fatalf("version json %q: %v", r.Stdout, err)
	}
	if r := run(t, e, "--version"); !strings.Contains(r.Stdout, "replayctl test (commit abc") {
		t.Fatalf("--version printed %q", r.Stdout)
	}
}
