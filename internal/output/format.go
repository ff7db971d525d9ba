package output

import (
	"fmt"
	"strings"
)

// Format selects how Printer renders values.
type Format string

// Supported output formats.
const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	FormatYAML  Format = "yaml"
)

// Formats lists the valid formats in display order, for flag help and
// shell completion.
func Formats() []Format { return []Format{FormatTable, FormatJSON, FormatYAML} }

// String implements fmt.Stringer.
func (f Format) String() string { return string(f) }

// ParseFormat validates a user-supplied format name (case-insensitive).
func ParseFormat(s string) (Format, error) {
	want := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, f := range Formats() {
		if f == want {
			return f, nil
		}
	}
	return "", fmt.Errorf("invalid output format %q: valid values are %s", s, formatList())
}

func formatList() string {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}
