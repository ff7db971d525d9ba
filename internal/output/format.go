package output

import "github.com/integr8scode/replayctl/internal/flagvalue"

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

// FormatNames are the formats' names, in display order.
func FormatNames() []string {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return names
}

// ParseFormat validates a user-supplied format name (case-insensitive). It
// is the only validator of -o, wherever the value came from.
func ParseFormat(s string) (Format, error) {
	name, err := flagvalue.Choice("output", s, FormatNames())
	if err != nil {
		return "", err
	}
	return Format(name), nil
}
