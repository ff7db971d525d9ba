package dlqcmd

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from current output")

func TestMain(m *testing.M) {
	// Ambiguous-width characters such as "…" are two columns wide under
	// CJK locales; pin narrow widths so golden files match everywhere.
	twwidth.SetEastAsian(false)
	testenv.Main(m)
}

// testNow is the fixed clock of every test, so relative times are stable.
var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// flagFactory is a factory for flag tests: settings and a printer, but no
// servers, so a test that reaches a server by mistake fails loudly.
func flagFactory() *cmdutil.Factory {
	ios, _, _, _ := output.Test()
	s := &config.Settings{DLQTopic: config.DefaultDLQTopic, Output: "table", Timeout: 10 * time.Second}
	return &cmdutil.Factory{
		IO:       ios,
		Getenv:   func(string) string { return "" },
		Now:      func() time.Time { return testNow },
		Settings: func() (*config.Settings, error) { return s, nil },
		Printer:  func() (*output.Printer, error) { return output.NewPrinter(ios, output.FormatTable), nil },
		Store: func(context.Context) (*store.Store, error) {
			return nil, errors.New("flag tests must not reach MongoDB")
		},
	}
}

// execute runs a command built on its own with args, as flag tests do.
func execute(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	return cmd.Execute()
}

// wantCode fails unless err maps to code; for non-zero codes, it also
// checks the message mentions every fragment.
func wantCode(t *testing.T, err error, code exitcode.Code, fragments ...string) {
	t.Helper()
	if got := cmdutil.ExitCode(err); got != code {
		t.Fatalf("exit code = %d, want %d (err: %v)", got, code, err)
	}
	for _, f := range fragments {
		if err == nil || !strings.Contains(err.Error()+" "+exitcode.HintOf(err), f) {
			t.Errorf("error %q should mention %q", err, f)
		}
	}
}

// errRan is what fake runs return in tests that expect parsing to fail
// first: reaching the run shows up as a wrong exit code.
var errRan = errors.New("ran")

// assertGolden compares got with testdata/<name>.golden. Escape bytes are
// shown as `\e` so coloured goldens stay readable in reviews.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, "\x1b", `\e`)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run `go test ./internal/cli/dlq -run %s -update` to create it): %v", t.Name(), err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if intended)\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}
