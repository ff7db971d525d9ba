package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// TableView is implemented by values that render as a list table.
// TableRows receives the printer's styles so cells can be coloured; the
// printer passes colourless styles whenever colour would be wrong.
type TableView interface {
	TableHeader() []string
	TableRows(st *Styles) [][]string
}

// Field is one "Key:  value" line of a detail screen.
type Field struct {
	Key, Value string
}

// Section is a titled group of fields, optionally followed by a table.
type Section struct {
	Title  string
	Fields []Field
	Table  TableView // optional; nil means no nested table
}

// DetailView is implemented by values that render as a detail screen.
type DetailView interface {
	DetailSections(st *Styles) []Section
}

// Printer renders command results to IOStreams.Out in the chosen format.
type Printer struct {
	ios    *IOStreams
	format Format
	styles *Styles
}

// NewPrinter snapshots the stream's colour setting, so apply --no-color
// before calling it.
func NewPrinter(ios *IOStreams, f Format) *Printer {
	return &Printer{ios: ios, format: f, styles: NewStyles(ios.ColorEnabled())}
}

// Format returns the printer's output format.
func (p *Printer) Format() Format { return p.format }

// Styles returns the styles matching the printer's colour setting.
func (p *Printer) Styles() *Styles { return p.styles }

// Print renders v to stdout. JSON and YAML always describe v's json-tagged
// shape; the table format uses TableView/DetailView and falls back to YAML
// for anything else so every value has a readable form.
func (p *Printer) Print(v any) error {
	switch p.format {
	case FormatJSON:
		return writeJSON(p.ios.Out, v)
	case FormatYAML:
		return writeYAML(p.ios.Out, v)
	case FormatTable, "": // the zero Format means the default
		return p.printHuman(v)
	default:
		if _, err := ParseFormat(string(p.format)); err != nil {
			return err
		}
		return fmt.Errorf("output format %q was not normalised by ParseFormat", p.format)
	}
}

func (p *Printer) printHuman(v any) error {
	switch view := v.(type) {
	case TableView:
		return p.printTable(p.ios.Out, view)
	case DetailView:
		return p.printDetail(view)
	default:
		return writeYAML(p.ios.Out, v)
	}
}

// writeJSON keeps HTML escaping off: output goes to terminals and jq, not
// browsers, and "\u003c" in place of "<" only hurts readability.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	return nil
}

// writeYAML goes through JSON so that json tags, omitempty, custom
// MarshalJSON methods and time.Time's RFC 3339 form apply exactly as they do
// for -o json: both formats must describe the same document. Decoding the
// JSON into a yaml.Node (JSON is valid YAML) keeps struct field order, which
// a round-trip through map[string]any would lose.
func writeYAML(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding YAML: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("encoding YAML: %w", err)
	}
	resetStyle(&doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("encoding YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encoding YAML: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// resetStyle drops the flow/quoted styles inherited from the JSON syntax so
// the encoder emits idiomatic block YAML. The encoder still quotes strings
// that would read back as another type in YAML 1.2 ("true", "42", dates);
// YAML 1.1 booleans are quoted explicitly because many consumers (PyYAML,
// older Go and Ruby libraries) would otherwise read "yes" or "on" as true.
func resetStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && isYAML11Bool(n.Value) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		resetStyle(c)
	}
}

func isYAML11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off":
		return true
	}
	return false
}
