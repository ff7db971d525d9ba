// Package results writes the benchmarks' figures to one markdown file
// (bench/results.md under `make bench`): each benchmark program replaces its
// own section, stamped with the machine, load, date and commit it ran on,
// and leaves the others alone.
package results

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Figure is one measured value and the bar it is held to; Bar "" means
// the figure is informative only.
type Figure struct {
	Name  string
	Value string
	Bar   string
	Pass  bool
}

const title = "# Benchmark results\n\nWritten by `make bench` (each `make bench-*` rewrites its own section). Figures depend on the machine and its load.\n"

// Write replaces the section of bench in the markdown file at path
// (creating the file), with figs and the notes below them.
func Write(path, bench string, figs []Figure, notes ...string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	sections := split(string(old))
	sections[bench] = section(bench, figs, notes)
	var b strings.Builder
	b.WriteString(title)
	for _, name := range order(sections) {
		b.WriteString("\n")
		b.WriteString(sections[name])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func section(bench string, figs []Figure, notes []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", bench)
	fmt.Fprintf(&b, "- machine: %s, %d cores; load average %s\n", cpuModel(), runtime.NumCPU(), loadAvg())
	fmt.Fprintf(&b, "- date: %s; commit: %s\n\n", time.Now().UTC().Format(time.RFC3339), commit())
	b.WriteString("| figure | value | bar | result |\n|---|---|---|---|\n")
	for _, f := range figs {
		result := ""
		if f.Bar != "" {
			result = "FAIL"
			if f.Pass {
				result = "PASS"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Name, f.Value, f.Bar, result)
	}
	for _, n := range notes {
		fmt.Fprintf(&b, "\n%s\n", n)
	}
	return b.String()
}

// split parses the file's "## name" sections.
func split(s string) map[string]string {
	out := map[string]string{}
	parts := strings.Split("\n"+s, "\n## ")
	for _, p := range parts[1:] {
		name, _, _ := strings.Cut(p, "\n")
		out[strings.TrimSpace(name)] = strings.TrimRight("## "+p, "\n") + "\n"
	}
	return out
}

// order is the benchmarks in the order `make bench` runs them, then others.
func order(sections map[string]string) []string {
	known := []string{"replay", "dlq", "status", "engine"}
	var out, other []string
	for _, k := range known {
		if _, ok := sections[k]; ok {
			out = append(out, k)
		}
	}
	for k := range sections {
		if !slices.Contains(known, k) {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := string(bytes.TrimSpace(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += "-dirty"
	}
	return c
}
