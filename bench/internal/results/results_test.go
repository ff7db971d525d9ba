package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesOnlyItsOwnSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.md")
	if err := Write(path, "engine", []Figure{{Name: "rate", Value: "1", Bar: ">= 2", Pass: false}}); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, "replay", []Figure{{Name: "ratio", Value: "0.9", Bar: ">= 0.8", Pass: true}}, "a note"); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, "engine", []Figure{{Name: "rate", Value: "3", Bar: ">= 2", Pass: true}}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{"| ratio | 0.9 | >= 0.8 | PASS |", "a note", "| rate | 3 | >= 2 | PASS |", "load average", "commit:"} {
		if !strings.Contains(got, want) {
			t.Errorf("results lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "| rate | 1 |") || strings.Count(got, "## engine") != 1 {
		t.Errorf("the engine's old section survived:\n%s", got)
	}
	if strings.Index(got, "## replay") > strings.Index(got, "## engine") {
		t.Errorf("sections not in make bench's order:\n%s", got)
	}
}
