package output

import (
	"errors"
	"os"
	"testing"
)

type fakeTerm struct {
	ttys  map[uintptr]bool
	sizes map[uintptr]int
}

func (f fakeTerm) terminal() terminal {
	return terminal{
		isTerminal: func(fd int) bool { return f.ttys[uintptr(fd)] },
		size: func(fd int) (int, int, error) {
			if w, ok := f.sizes[uintptr(fd)]; ok {
				return w, 24, nil
			}
			return 0, 0, errors.New("not a terminal")
		},
	}
}

// pipeFiles returns three distinct real files so newSystem sees distinct
// file descriptors.
func pipeFiles(t *testing.T) (in, out, errOut *os.File) {
	t.Helper()
	files := make([]*os.File, 0, 6)
	for range 3 {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, r, w)
	}
	t.Cleanup(func() {
		for _, f := range files {
			f.Close()
		}
	})
	return files[0], files[3], files[5]
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestSystemDetection(t *testing.T) {
	in, out, errOut := pipeFiles(t)
	allTTY := map[uintptr]bool{in.Fd(): true, out.Fd(): true, errOut.Fd(): true}
	cases := []struct {
		name                   string
		ttys                   map[uintptr]bool
		env                    map[string]string
		wantColor, wantPrompt  bool
		wantIn, wantOut, wantE bool
	}{
		{"all tty", allTTY, map[string]string{"TERM": "xterm-256color"}, true, true, true, true, true},
		{"NO_COLOR set", allTTY, map[string]string{"NO_COLOR": "1"}, false, true, true, true, true},
		{"NO_COLOR any value", allTTY, map[string]string{"NO_COLOR": "false"}, false, true, true, true, true},
		{"NO_COLOR empty is unset", allTTY, map[string]string{"NO_COLOR": ""}, true, true, true, true, true},
		{"dumb terminal", allTTY, map[string]string{"TERM": "dumb"}, false, true, true, true, true},
		{"stdout piped", map[uintptr]bool{in.Fd(): true, errOut.Fd(): true}, nil, false, false, true, false, true},
		{"stdin piped", map[uintptr]bool{out.Fd(): true, errOut.Fd(): true}, nil, true, false, false, true, true},
		{"nothing is a tty", nil, nil, false, false, false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ios := newSystem(env(tc.env), fakeTerm{ttys: tc.ttys}.terminal(), in, out, errOut)
			if got := ios.ColorEnabled(); got != tc.wantColor {
				t.Errorf("ColorEnabled = %v, want %v", got, tc.wantColor)
			}
			if got := ios.CanPrompt(); got != tc.wantPrompt {
				t.Errorf("CanPrompt = %v, want %v", got, tc.wantPrompt)
			}
			if ios.IsStdinTTY() != tc.wantIn || ios.IsStdoutTTY() != tc.wantOut || ios.IsStderrTTY() != tc.wantE {
				t.Errorf("tty = %v/%v/%v", ios.IsStdinTTY(), ios.IsStdoutTTY(), ios.IsStderrTTY())
			}
			if ios.In != in || ios.Out != out || ios.ErrOut != errOut {
				t.Error("streams not wired to the given files")
			}
		})
	}
}

func TestSystemWidth(t *testing.T) {
	in, out, errOut := pipeFiles(t)
	cases := []struct {
		name  string
		sizes map[uintptr]int
		env   map[string]string
		want  int
	}{
		{"terminal size", map[uintptr]int{out.Fd(): 132}, map[string]string{"COLUMNS": "100"}, 132},
		{"stderr when stdout piped", map[uintptr]int{errOut.Fd(): 90}, nil, 90},
		{"COLUMNS fallback", nil, map[string]string{"COLUMNS": " 100 "}, 100},
		{"bad COLUMNS", nil, map[string]string{"COLUMNS": "wide"}, 80},
		{"zero COLUMNS", nil, map[string]string{"COLUMNS": "0"}, 80},
		{"default", nil, nil, 80},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ios := newSystem(env(tc.env), fakeTerm{sizes: tc.sizes}.terminal(), in, out, errOut)
			if got := ios.TerminalWidth(); got != tc.want {
				t.Errorf("TerminalWidth = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSystemUsesRealStreams(t *testing.T) {
	ios := System()
	if ios.In != os.Stdin || ios.Out != os.Stdout || ios.ErrOut != os.Stderr {
		t.Error("System must use the process' standard streams")
	}
	if ios.TerminalWidth() <= 0 {
		t.Error("width must be positive")
	}
}

func TestTestStreams(t *testing.T) {
	ios, in, out, errOut := Test()
	if ios.IsStdinTTY() || ios.IsStdoutTTY() || ios.IsStderrTTY() || ios.ColorEnabled() || ios.CanPrompt() {
		t.Error("Test streams must not be TTYs or coloured")
	}
	if ios.TerminalWidth() != 80 {
		t.Errorf("width = %d", ios.TerminalWidth())
	}
	if ios.In != in || ios.Out != out || ios.ErrOut != errOut {
		t.Error("buffers not wired")
	}
	ios.SetStdinTTY(true)
	ios.SetStdoutTTY(true)
	ios.SetStderrTTY(true)
	ios.SetColorEnabled(true)
	ios.SetTerminalWidth(0)
	if !ios.CanPrompt() || !ios.IsStderrTTY() || !ios.ColorEnabled() || ios.TerminalWidth() != 80 {
		t.Error("setters")
	}
	if (&IOStreams{}).TerminalWidth() != 80 {
		t.Error("zero IOStreams width")
	}
}
