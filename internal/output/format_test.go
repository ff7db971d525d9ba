package output

import (
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": FormatTable, "json": FormatJSON, "YAML": FormatYAML, " json ": FormatJSON} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "xml", "yml", "jsonl"} {
		_, err := ParseFormat(in)
		if err == nil {
			t.Errorf("ParseFormat(%q): expected error", in)
			continue
		}
		if !strings.Contains(err.Error(), "table, json, yaml") || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseFormat(%q) error should name the input and list valid values: %v", in, err)
		}
	}
	if FormatJSON.String() != "json" || len(Formats()) != 3 {
		t.Error("String/Formats")
	}
}
