package output

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/integr8scode/replayctl/internal/golden"
)

func render(t *testing.T, ios *IOStreams, f Format, v any) string {
	t.Helper()
	ios.Out.(interface{ Reset() }).Reset()
	if err := NewPrinter(ios, f).Print(v); err != nil {
		t.Fatalf("Print(%s): %v", f, err)
	}
	return ios.Out.(interface{ String() string }).String()
}

func TestPrintJSON(t *testing.T) {
	ios, _, _, _ := Test()
	got := render(t, ios, FormatJSON, sampleJobs()[1])
	want := `{
  "id": "j-002",
  "name": "payments-backfill-eu-west-1-with-a-very-long-name",
  "status": "failed",
  "created": "2024-05-01T07:00:00Z",
  "finishedAt": "2024-05-01T11:58:30Z",
  "error": "broker unavailable",
  "events": 12
}
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPrintJSONDoesNotEscapeHTML(t *testing.T) {
	ios, _, _, _ := Test()
	got := render(t, ios, FormatJSON, map[string]string{"q": "a<b && c>d"})
	if !strings.Contains(got, `"a<b && c>d"`) {
		t.Errorf("HTML characters were escaped: %s", got)
	}
}

func TestPrintYAMLFollowsJSONTagsAndOrder(t *testing.T) {
	ios, _, _, _ := Test()
	got := render(t, ios, FormatYAML, sampleJobs()[:2])
	want := `- id: j-001
  name: orders-replay
  status: running
  created: "2024-05-01T11:57:00Z"
  tags:
    - prod
  events: 4500
- id: j-002
  name: payments-backfill-eu-west-1-with-a-very-long-name
  status: failed
  created: "2024-05-01T07:00:00Z"
  finishedAt: "2024-05-01T11:58:30Z"
  error: broker unavailable
  events: 12
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// The two machine formats must describe the same document, so a script can
// switch between them without changing its queries.
func TestJSONAndYAMLShapesIdentical(t *testing.T) {
	type weird struct {
		Bool      string            `json:"boolish"`
		Num       string            `json:"numish"`
		Null      string            `json:"nullish"`
		Multiline string            `json:"multiline"`
		Unicode   string            `json:"unicode"`
		Empty     []string          `json:"empty"`
		Nil       []string          `json:"nil"`
		Map       map[string]int    `json:"map"`
		Skip      string            `json:"-"`
		Omitted   *time.Time        `json:"omitted,omitempty"`
		Big       int64             `json:"big"`
		Float     float64           `json:"float"`
		Nested    map[string]any    `json:"nested"`
		Labels    map[string]string `json:"labels,omitempty"`
		On        string            `json:"on"`
	}
	values := map[string]any{
		"jobs":   sampleJobs(),
		"detail": sampleDetail(),
		"weird": weird{
			Bool: "true", On: "yes", Num: "0123", Null: "null", Multiline: "a\nb\n", Unicode: "héllo ✓ \u00a0x",
			Empty: []string{}, Map: map[string]int{"b": 2, "a": 1}, Skip: "x",
			Big: 1 << 60, Float: 1.5e-7, Nested: map[string]any{"k": []any{1, "two", nil}},
		},
		"nil":   nil,
		"empty": struct{}{},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			ios, _, _, _ := Test()
			var fromJSON, fromYAML any
			if err := json.Unmarshal([]byte(render(t, ios, FormatJSON, v)), &fromJSON); err != nil {
				t.Fatal(err)
			}
			y := render(t, ios, FormatYAML, v)
			if err := yaml.Unmarshal([]byte(y), &fromYAML); err != nil {
				t.Fatalf("%v\n%s", err, y)
			}
			if !reflect.DeepEqual(normalizeNumbers(fromJSON), normalizeNumbers(fromYAML)) {
				t.Errorf("shapes differ\njson: %#v\nyaml: %#v\nyaml text:\n%s", fromJSON, fromYAML, y)
			}
		})
	}
}

// normalizeNumbers maps every number to float64, since YAML decodes
// integers as int and JSON as float64; the values themselves must match.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

func TestYAMLQuotesAmbiguousStrings(t *testing.T) {
	ios, _, _, _ := Test()
	got := render(t, ios, FormatYAML, map[string]any{
		"a": "true", "b": "42", "c": "null", "d": "", "e": true, "f": 42,
		"g": "yes", "h": "Off", "on": "plain", "i": "2024-01-01", "j": "1.10",
	})
	want := "a: \"true\"\nb: \"42\"\nc: \"null\"\nd: \"\"\ne: true\nf: 42\n" +
		"g: \"yes\"\nh: \"Off\"\ni: \"2024-01-01\"\nj: \"1.10\"\n\"on\": plain\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPrintTableNonTTYIsTSV(t *testing.T) {
	ios, _, _, _ := Test()
	ios.SetColorEnabled(true) // even forced colour must not leak into TSV
	got := render(t, ios, FormatTable, sampleJobs())
	want := "ID\tNAME\tSTATUS\tEVENTS\tAGE\n" +
		"j-001\torders-replay\trunning\t4500\t3m ago\n" +
		"j-002\tpayments-backfill-eu-west-1-with-a-very-long-name\tfailed\t12\t5h ago\n" +
		"j-003\t日本語ジョブ\tcancelled\t0\t2d ago\n" +
		"j-004\ttabs and newlines\tmystery\t7\t-\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestTSVStripsEscapesFromUnstyledViews(t *testing.T) {
	ios, _, _, _ := Test()
	got := render(t, ios, FormatTable, rawTable{{"\x1b[31mred\x1b[0m", "x"}})
	if got != "A\tB\nred\tx\n" {
		t.Errorf("got %q", got)
	}
}

// rawTable returns cells verbatim, as a careless view might.
type rawTable [][]string

func (r rawTable) TableHeader() []string        { return []string{"A", "B"} }
func (r rawTable) TableRows(*Styles) [][]string { return r }

func TestPrintTableTTYGolden(t *testing.T) {
	cases := []struct {
		name  string
		color bool
		width int
	}{
		{"table_tty", false, 120},
		{"table_tty_color", true, 120},
		{"table_tty_narrow", false, 50},
		{"table_tty_color_narrow", true, 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _ := ttyStreams(tc.color, tc.width)
			got := render(t, ios, FormatTable, sampleJobs())
			golden.Assert(t, tc.name, got)
			for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if w := Width(line); w > tc.width {
					t.Errorf("line is %d columns, terminal is %d: %q", w, tc.width, line)
				}
				if strings.HasSuffix(line, " ") {
					t.Errorf("trailing whitespace: %q", line)
				}
			}
			if !tc.color && strings.Contains(got, "\x1b") {
				t.Errorf("escape codes with colour off: %q", got)
			}
		})
	}
}

func TestPrintDetailGolden(t *testing.T) {
	cases := []struct {
		name       string
		tty, color bool
	}{
		{"detail_tty", true, false},
		{"detail_tty_color", true, true},
		{"detail_notty", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _ := ttyStreams(tc.color, 80)
			ios.SetStdoutTTY(tc.tty)
			golden.Assert(t, tc.name, render(t, ios, FormatTable, sampleDetail()))
		})
	}
}

func TestPrintTableFallsBackToYAML(t *testing.T) {
	ios, _, _ := ttyStreams(true, 80)
	got := render(t, ios, FormatTable, struct {
		Name string `json:"name"`
		N    int    `json:"n,omitempty"`
	}{Name: "x"})
	if got != "name: x\n" {
		t.Errorf("got %q", got)
	}
}

func TestPrintEmptyTable(t *testing.T) {
	ios, _, _ := ttyStreams(false, 80)
	if got := render(t, ios, FormatTable, jobList{}); got != "ID  NAME  STATUS  EVENTS  AGE\n" {
		t.Errorf("tty: got %q", got)
	}
	ios.SetStdoutTTY(false)
	if got := render(t, ios, FormatTable, jobList{}); got != "ID\tNAME\tSTATUS\tEVENTS\tAGE\n" {
		t.Errorf("tsv: got %q", got)
	}
	if got := render(t, ios, FormatTable, rawTableNoHeader{}); got != "" {
		t.Errorf("no columns: got %q", got)
	}
}

type rawTableNoHeader struct{}

func (rawTableNoHeader) TableHeader() []string        { return nil }
func (rawTableNoHeader) TableRows(*Styles) [][]string { return nil }

func TestPrintRaggedRows(t *testing.T) {
	ios, _, _ := ttyStreams(false, 80)
	got := render(t, ios, FormatTable, rawTable{{"1"}, {"1", "2", "3"}})
	want := "A  B\n1\n1  2  3\n"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestPrinterAccessorsAndInvalidFormat(t *testing.T) {
	ios, _, _ := ttyStreams(true, 80)
	p := NewPrinter(ios, FormatYAML)
	if p.Format() != FormatYAML || !p.Styles().Enabled() {
		t.Errorf("accessors: %v %v", p.Format(), p.Styles().Enabled())
	}
	err := NewPrinter(ios, Format("xml")).Print(1)
	if err == nil || !strings.Contains(err.Error(), "table, json, yaml") {
		t.Errorf("err = %v", err)
	}
}

func TestPrintReportsMarshalErrors(t *testing.T) {
	ios, _, _, _ := Test()
	for _, f := range []Format{FormatJSON, FormatYAML} {
		if err := NewPrinter(ios, f).Print(func() {}); err == nil {
			t.Errorf("%s: expected error for unmarshalable value", f)
		}
	}
}
