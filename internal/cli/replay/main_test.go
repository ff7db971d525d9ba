package replaycmd

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/integr8scode/replayctl/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from current output")

func TestMain(m *testing.M) {
	// Ambiguous-width characters are two columns under CJK locales; pin
	// narrow widths so golden files match everywhere.
	twwidth.SetEastAsian(false)
	testenv.Main(m)
}

// assertGolden compares got with testdata/<name>.golden (escape bytes shown
// as \e so coloured output stays reviewable).
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
		t.Fatalf("read golden file (run `go test ./internal/cli/replay -run %s -update` to create it): %v", t.Name(), err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if intended)\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}
