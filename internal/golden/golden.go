// Package golden compares test output with testdata/<name>.golden files.
// It holds only what the output and command tests share, so any test
// package can use it without importing the embedded stack.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from current output")

// Assert compares got with testdata/<name>.golden; -update rewrites it.
// Escape bytes are shown as `\e` so coloured goldens stay reviewable.
func Assert(t testing.TB, name, got string) {
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
		t.Fatalf("read golden file (run `go test -run %s -update` in this package to create it): %v", t.Name(), err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if intended)\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}
