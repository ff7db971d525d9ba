// Command gendocs generates replayctl's shell completion scripts and man pages
// from the real command tree, and checks that the checked-in copies are fresh.
//
//	go run ./tools/gendocs -completions completions       # make completions
//	go run ./tools/gendocs -man man                       # make man
//	go run ./tools/gendocs -check -completions completions -man man   # make docs-check
//
// Each output directory is owned by the generator: generating makes its
// regular files exactly the generated set (stale files are removed), and
// -check reports modified, missing and extra files and exits 1.
//
// The output is deterministic: the command tree is built with test IO streams,
// an empty environment, a fixed clock and fixed build information, and the man
// pages carry a fixed date and no "auto generated" footer, so the freshness
// check does not depend on who runs it, where, or when.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"

	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/output"
)

// docDate is the date printed in every man page header. It is a constant on
// purpose: deriving it from the clock or SOURCE_DATE_EPOCH would make the
// freshness check flap between machines and months.
var docDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// manHeader is the .TH line shared by every page.
func manHeader() *doc.GenManHeader {
	d := docDate
	return &doc.GenManHeader{
		Title:   "REPLAYCTL",
		Section: "1",
		Date:    &d,
		Source:  "replayctl",
		Manual:  "replayctl manual",
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status
// (0 ok, 1 stale or failed, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gendocs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	complDir := fs.String("completions", "", "write bash, zsh, fish and PowerShell completion scripts to `dir`")
	manDir := fs.String("man", "", "write one man page per command to `dir`")
	check := fs.Bool("check", false, "do not write: exit 1 when the directories differ from what would be generated")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gendocs [-check] [-completions dir] [-man dir]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || (*complDir == "" && *manDir == "") {
		fs.Usage()
		return 2
	}

	sets, err := render()
	if err != nil {
		fmt.Fprintf(stderr, "gendocs: %v\n", err)
		return 1
	}
	type target struct {
		dir   string
		files map[string][]byte
	}
	var targets []target
	if *complDir != "" {
		targets = append(targets, target{*complDir, sets.Completions})
	}
	if *manDir != "" {
		targets = append(targets, target{*manDir, sets.Man})
	}

	if *check {
		var names, diffs []string
		for _, t := range targets {
			d, err := compareDir(t.dir, t.files)
			if err != nil {
				fmt.Fprintf(stderr, "gendocs: %v\n", err)
				return 1
			}
			if len(d) > 0 {
				names = append(names, slashDir(t.dir))
				diffs = append(diffs, d...)
			}
		}
		if len(diffs) == 0 {
			return 0
		}
		verb := "is"
		if len(names) > 1 {
			verb = "are"
		}
		fmt.Fprintf(stderr, "%s %s stale: run `make docs`\n", strings.Join(names, " and "), verb)
		for _, d := range diffs {
			fmt.Fprintf(stderr, "  %s\n", d)
		}
		return 1
	}

	for _, t := range targets {
		n, err := syncDir(t.dir, t.files)
		if err != nil {
			fmt.Fprintf(stderr, "gendocs: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %d files, %d changed\n", slashDir(t.dir), len(t.files), n)
	}
	return 0
}

func slashDir(dir string) string {
	return strings.TrimSuffix(filepath.ToSlash(dir), "/") + "/"
}

// Sets is everything gendocs generates, by directory: file name to content.
type Sets struct {
	Completions map[string][]byte
	Man         map[string][]byte
}

// newRoot builds replayctl's command tree the way main does, but isolated
// from the machine: test streams (no TTY, no colour, width 80), an empty
// environment, a fixed clock and the default build information of an
// unreleased binary.
func newRoot() (*cobra.Command, func()) {
	ios, _, _, _ := output.Test()
	getenv := func(string) string { return "" }
	now := func() time.Time { return docDate }
	f := cmdutil.New(ios, getenv, now)
	root := cli.NewCmdRoot(f, version.Info{Version: "dev", Commit: "none", Date: "unknown"})
	// Execute adds these lazily; add them now so the tree matches what users see.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	walk(root, func(c *cobra.Command) { c.DisableAutoGenTag = true })
	return root, f.Close
}

// walk visits c and every descendant, hidden or not.
func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// render generates every file in memory from a freshly built command tree.
func render() (*Sets, error) {
	root, done := newRoot()
	defer done()

	compl := map[string][]byte{}
	gens := []struct {
		name string
		gen  func(io.Writer) error
	}{
		{"replayctl.bash", func(w io.Writer) error { return root.GenBashCompletionV2(w, true) }},
		{"replayctl.zsh", root.GenZshCompletion}, // install as _replayctl in $fpath
		{"replayctl.fish", func(w io.Writer) error { return root.GenFishCompletion(w, true) }},
		{"replayctl.ps1", root.GenPowerShellCompletionWithDesc},
	}
	for _, g := range gens {
		var buf bytes.Buffer
		if err := g.gen(&buf); err != nil {
			return nil, fmt.Errorf("generate %s: %w", g.name, err)
		}
		compl[g.name] = buf.Bytes()
	}

	// The man pages come from a second tree whose help texts are escaped.
	manRoot, manDone := newRoot()
	defer manDone()
	escapeTree(manRoot)
	tmp, err := os.MkdirTemp("", "gendocs-man-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := doc.GenManTree(manRoot, manHeader(), tmp); err != nil {
		return nil, fmt.Errorf("generate man pages: %w", err)
	}
	man, err := readDir(tmp)
	if err != nil {
		return nil, err
	}
	return &Sets{Completions: compl, Man: man}, nil
}

// escapeTree prepares a tree for cobra/doc, which reads Short, Long and flag
// usages as Markdown: replayctl's help texts are plain text, so without this
// "REPLAYCTL_CONTEXT nor REPLAYCTL_*" turns into italics and "<id>" into an
// HTML tag that vanishes. Examples are printed in a code block, as is.
func escapeTree(root *cobra.Command) {
	done := map[*pflag.Flag]bool{}
	escapeFlags := func(fs *pflag.FlagSet) {
		fs.VisitAll(func(fl *pflag.Flag) {
			if !done[fl] { // inherited flags are shared: escape once
				done[fl] = true
				fl.Usage = escapeMarkdown(fl.Usage)
			}
		})
	}
	walk(root, func(c *cobra.Command) {
		c.Short = escapeMarkdown(c.Short)
		c.Long = escapeMarkdown(c.Long)
		escapeFlags(c.PersistentFlags())
		escapeFlags(c.LocalFlags())
	})
}

// markdownEscaper backslash-escapes the characters that Markdown would read
// as emphasis, code spans, HTML or links.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `<`, `\<`, `>`, `\>`, `[`, `\[`, `]`, `\]`,
)

// escapeMarkdown escapes s line by line, leaving code blocks (fenced, or
// indented by a tab or four spaces after a blank line) alone because
// Markdown prints them literally, backslashes included.
func escapeMarkdown(s string) string {
	lines := strings.Split(s, "\n")
	fenced, code, prevBlank := false, false, true
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			fenced = !fenced
		case fenced:
		case trimmed == "":
		default:
			indented := strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    ")
			code = indented && (prevBlank || code)
			if !code {
				lines[i] = markdownEscaper.Replace(line)
			}
		}
		prevBlank = trimmed == ""
	}
	return strings.Join(lines, "\n")
}

// readDir returns the regular files directly in dir; a missing dir is empty.
func readDir(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return map[string][]byte{}, nil
	}
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(entries))
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = b
	}
	return files, nil
}

// compareDir lists how dir differs from want, one line per file, sorted.
func compareDir(dir string, want map[string][]byte) ([]string, error) {
	have, err := readDir(dir)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for _, name := range sortedKeys(want) {
		p := filepath.ToSlash(filepath.Join(dir, name))
		got, ok := have[name]
		switch {
		case !ok:
			diffs = append(diffs, "missing:  "+p)
		case !bytes.Equal(got, want[name]):
			diffs = append(diffs, fmt.Sprintf("modified: %s (first difference at line %d)", p, firstDiffLine(got, want[name])))
		}
	}
	for _, name := range sortedKeys(have) {
		if _, ok := want[name]; !ok {
			diffs = append(diffs, "extra:    "+filepath.ToSlash(filepath.Join(dir, name)))
		}
	}
	return diffs, nil
}

// syncDir makes dir's regular files exactly files, leaving identical files
// untouched. It returns how many files it wrote or removed.
func syncDir(dir string, files map[string][]byte) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	have, err := readDir(dir)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, name := range sortedKeys(files) {
		if got, ok := have[name]; ok && bytes.Equal(got, files[name]) {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return changed, err
		}
		changed++
	}
	for _, name := range sortedKeys(have) {
		if _, ok := files[name]; ok {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}

func firstDiffLine(a, b []byte) int {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) && i < len(bl); i++ {
		if !bytes.Equal(al[i], bl[i]) {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
