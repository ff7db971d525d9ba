package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// generate runs gendocs into a fresh temp dir and returns the two output dirs.
func generate(t *testing.T) (complDir, manDir string) {
	t.Helper()
	base := t.TempDir()
	complDir, manDir = filepath.Join(base, "completions"), filepath.Join(base, "man")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-completions", complDir, "-man", manDir}, &stdout, &stderr); code != 0 {
		t.Fatalf("gendocs exited %d: %s", code, stderr.String())
	}
	return complDir, manDir
}

func mustReadDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := readDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("%s is empty", dir)
	}
	return files
}

func assertSameFiles(t *testing.T, a, b map[string][]byte) {
	t.Helper()
	for name, want := range a {
		got, ok := b[name]
		if !ok {
			t.Errorf("%s generated once, not twice", name)
		} else if !bytes.Equal(got, want) {
			t.Errorf("%s differs between runs (first difference at line %d)", name, firstDiffLine(want, got))
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			t.Errorf("%s generated only the second time", name)
		}
	}
}

// TestDeterministic generates twice, the second time in a hostile
// environment, and wants byte-identical output: otherwise `make docs-check`
// would flap between machines.
func TestDeterministic(t *testing.T) {
	c1, m1 := generate(t)

	for k, v := range map[string]string{
		"HOME":                    t.TempDir(),
		"XDG_CONFIG_HOME":         t.TempDir(),
		"SOURCE_DATE_EPOCH":       "86400",
		"COLUMNS":                 "37",
		"TERM":                    "dumb",
		"NO_COLOR":                "1",
		"REPLAYCTL_CONTEXT":       "elsewhere",
		"REPLAYCTL_OUTPUT":        "json",
		"REPLAYCTL_KAFKA_BROKERS": "k1:9092,k2:9092",
		"REPLAYCTL_MONGO_URI":     "mongodb://example:27017",
	} {
		t.Setenv(k, v)
	}
	c2, m2 := generate(t)

	assertSameFiles(t, mustReadDir(t, c1), mustReadDir(t, c2))
	assertSameFiles(t, mustReadDir(t, m1), mustReadDir(t, m2))
}

// TestManPagePerCommand walks the command tree: every command a user can see
// has exactly one page, and there are no other pages.
func TestManPagePerCommand(t *testing.T) {
	_, manDir := generate(t)
	pages := mustReadDir(t, manDir)

	root, done := newRoot()
	defer done()
	want := map[string]bool{}
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		want[strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"] = true
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
				visit(sub)
			}
		}
	}
	visit(root)
	if len(want) < 2 {
		t.Fatalf("command tree has only %d visible commands", len(want))
	}

	for name := range want {
		page, ok := pages[name]
		if !ok {
			t.Errorf("no man page %s", name)
			continue
		}
		if !bytes.Contains(page, []byte(`.TH "REPLAYCTL" "1" "Jan 2026" "replayctl" "replayctl manual"`)) {
			t.Errorf("%s: unexpected header:\n%s", name, firstLines(page, 3))
		}
		if bytes.Contains(page, []byte("Auto generated")) {
			t.Errorf("%s: carries the auto-generated tag", name)
		}
		if bytes.Contains(page, []byte(`\fI`)) {
			t.Errorf("%s: help text was read as Markdown emphasis (\\fI): escapeTree missed something", name)
		}
	}
	for name := range pages {
		if !want[name] {
			t.Errorf("man page %s has no visible command", name)
		}
	}
	for _, name := range []string{"replayctl.1", "replayctl-version.1", "replayctl-completion-bash.1"} {
		if !want[name] {
			t.Errorf("expected a page %s", name)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	complDir, _ := generate(t)
	files := mustReadDir(t, complDir)
	for name, marker := range map[string]string{
		"replayctl.bash": "__start_replayctl",
		"replayctl.zsh":  "#compdef replayctl",
		"replayctl.fish": "complete -c replayctl",
		"replayctl.ps1":  "Register-ArgumentCompleter",
	} {
		b, ok := files[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if !bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s does not mention %q", name, marker)
		}
	}
	if len(files) != 4 {
		t.Errorf("want 4 completion scripts, got %d", len(files))
	}
}

// TestCheck covers -check: fresh directories pass; modified, missing and
// extra files are each reported and fail; regenerating repairs them.
func TestCheck(t *testing.T) {
	complDir, manDir := generate(t)
	check := func() (int, string) {
		var stdout, stderr bytes.Buffer
		code := run([]string{"-check", "-completions", complDir, "-man", manDir}, &stdout, &stderr)
		return code, stderr.String()
	}
	if code, msg := check(); code != 0 {
		t.Fatalf("fresh output: exit %d: %s", code, msg)
	}

	appendTo(t, filepath.Join(manDir, "replayctl.1"), "stale\n")
	if err := os.Remove(filepath.Join(complDir, "replayctl.fish")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(manDir, "replayctl-gone.1"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	code, msg := check()
	if code != 1 {
		t.Fatalf("stale output: exit %d, want 1: %s", code, msg)
	}
	for _, want := range []string{
		"are stale: run `make docs`",
		"modified: " + filepath.ToSlash(filepath.Join(manDir, "replayctl.1")),
		"missing:  " + filepath.ToSlash(filepath.Join(complDir, "replayctl.fish")),
		"extra:    " + filepath.ToSlash(filepath.Join(manDir, "replayctl-gone.1")),
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("check message lacks %q:\n%s", want, msg)
		}
	}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"-completions", complDir, "-man", manDir}, &stdout, &stderr); code != 0 {
		t.Fatalf("regenerate: exit %d: %s", code, stderr.String())
	}
	if code, msg := check(); code != 0 {
		t.Fatalf("after regenerating: exit %d: %s", code, msg)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"-check"}, {"-man", "x", "extra"}, {"-bogus"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("gendocs %q: exit %d, want 2", args, code)
		}
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// TestEscapeTree: plain-text help survives cobra/doc's Markdown reading.
func TestEscapeTree(t *testing.T) {
	root := &cobra.Command{Use: "replayctl", Short: "Root_cmd *x*"}
	root.PersistentFlags().String("context", "", "context (env REPLAYCTL_CONTEXT, not REPLAYCTL_*)")
	sub := &cobra.Command{
		Use:   "show <id>",
		Short: "Show a session by <id>",
		Long: "Neither REPLAYCTL_CONTEXT nor REPLAYCTL_* names one; see `replayctl config` [docs].\n" +
			"Paths like C:\\dir stay.\n" +
			"\n" +
			"    indented_code <kept>\n" +
			"\n" +
			"```\nfenced_code *kept*\n```\n",
		Run: func(*cobra.Command, []string) {},
	}
	sub.Flags().Int("limit", 0, "at most <n> items_per_page")
	root.AddCommand(sub)
	escapeTree(root)
	escapeTree(&cobra.Command{}) // harmless on an empty tree

	var buf bytes.Buffer
	if err := doc.GenMan(sub, manHeader(), &buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"Show a session by <id>",
		"Neither REPLAYCTL_CONTEXT nor REPLAYCTL_* names one; see `replayctl config` [docs]",
		`C:\\dir`, // roff's escaped backslash
		"indented_code <kept>",
		"fenced_code *kept*",
		"at most <n> items_per_page",
		"context (env REPLAYCTL_CONTEXT, not REPLAYCTL_*)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("man page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, `\fI`) || strings.Contains(page, `\_`) {
		t.Errorf("man page has emphasis or stray escapes:\n%s", page)
	}
}
