package output

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestConfirm(t *testing.T) {
	cases := []struct {
		input string
		want  bool
	}{
		{"y\n", true},
		{"Y\n", true},
		{"yes\n", true},
		{"YeS\n", true},
		{"  y  \r\n", true},
		{"y", true}, // answer without newline before EOF still counts
		{"n\n", false},
		{"no\n", false},
		{"\n", false},
		{"yep\n", false},
		{"", false}, // EOF: the safe default
	}
	for _, c := range cases {
		ios, in, _, errOut := Test()
		in.WriteString(c.input)
		got, err := Confirm(ios, "Delete job j-001?")
		if err != nil {
			t.Errorf("Confirm(%q): unexpected error %v", c.input, err)
		}
		if got != c.want {
			t.Errorf("Confirm(%q) = %v, want %v", c.input, got, c.want)
		}
		if !strings.HasPrefix(errOut.String(), "Delete job j-001? [y/N]: ") {
			t.Errorf("prompt = %q", errOut.String())
		}
	}
}

func TestConfirmEOFEndsPromptLine(t *testing.T) {
	ios, _, out, errOut := Test()
	if ok, err := Confirm(ios, "Sure?"); ok || err != nil {
		t.Fatalf("got %v, %v", ok, err)
	}
	if errOut.String() != "Sure? [y/N]: \n" {
		t.Errorf("stderr = %q", errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("prompt leaked to stdout: %q", out.String())
	}
}

// A second prompt must still see its own answer: Confirm may not buffer
// beyond the line it consumed.
func TestConfirmDoesNotOverRead(t *testing.T) {
	ios, in, _, _ := Test()
	in.WriteString("y\nn\nrest")
	first, _ := Confirm(ios, "a")
	second, _ := Confirm(ios, "b")
	if !first || second {
		t.Errorf("got %v, %v", first, second)
	}
	if rest, _ := io.ReadAll(ios.In); string(rest) != "rest" {
		t.Errorf("remaining input = %q", rest)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestConfirmReadError(t *testing.T) {
	ios, _, _, _ := Test()
	ios.In = failingReader{}
	if ok, err := Confirm(ios, "x"); ok || err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("got %v, %v", ok, err)
	}
	ios.In = nil
	if ok, err := Confirm(ios, "x"); ok || err != nil {
		t.Errorf("nil reader: got %v, %v", ok, err)
	}
}
