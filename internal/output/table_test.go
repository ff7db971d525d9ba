package output

import (
	"bytes"
	"reflect"
	"testing"
)

func TestFitWidths(t *testing.T) {
	cases := []struct {
		name    string
		natural []int
		budget  int
		want    []int
	}{
		{"fits", []int{5, 10, 3}, 30, []int{5, 10, 3}},
		{"exact", []int{5, 10, 3}, 18, []int{5, 10, 3}},
		{"widest shrinks first", []int{5, 40, 9}, 34, []int{5, 20, 9}},
		{"two wide columns share the cut", []int{30, 30, 4}, 44, []int{20, 20, 4}},
		{"spare goes left", []int{30, 30, 4}, 45, []int{21, 20, 4}},
		{"floor at minimum width", []int{20, 20, 20}, 6, []int{6, 6, 6}},
		{"narrow columns never grow", []int{2, 30}, 10, []int{2, 8}},
		{"negative budget", []int{3, 30}, -5, []int{3, 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := fitWidths(append([]int(nil), c.natural...), c.budget)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("fitWidths(%v, %d) = %v, want %v", c.natural, c.budget, got, c.want)
			}
		})
	}
}

func TestTidyLines(t *testing.T) {
	cases := map[string]string{
		"a  b   \nc   ": "a  b\nc",
		"\x1b[1mA\x1b[0m   \x1b[0m\x1b[1mB\x1b[0m  \x1b[0m": "\x1b[1mA\x1b[0m   \x1b[1mB\x1b[0m",
		"\x1b[31mx   \x1b[0m":                               "\x1b[31mx\x1b[0m",
	}
	for in, want := range cases {
		if got := string(tidyLines([]byte(in))); got != want {
			t.Errorf("tidyLines(%q) = %q, want %q", in, got, want)
		}
	}
}

// Views must not see their rows mutated by rendering (truncation, flattening).
func TestWriteAlignedDoesNotMutateInput(t *testing.T) {
	header := []string{"A", "B"}
	rows := [][]string{{"x\ny", "a very long cell that will be truncated"}}
	var buf bytes.Buffer
	if err := writeAligned(&buf, nil, header, rows, 20); err != nil {
		t.Fatal(err)
	}
	if header[0] != "A" || rows[0][0] != "x\ny" || rows[0][1] != "a very long cell that will be truncated" {
		t.Errorf("input mutated: %q %q", header, rows)
	}
	if got := buf.String(); got != "A    B\nx y  a very long ce…\n" {
		t.Errorf("got %q", got)
	}
}
