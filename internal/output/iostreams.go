package output

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// defaultWidth is used when no terminal size is known; it is the classic
// terminal width and what most tools (gh, kubectl) assume.
const defaultWidth = 80

// IOStreams bundles the standard streams together with what we know about
// them (TTY-ness, colour, width), so commands never touch os.Std* directly
// and tests can swap everything in one place. Configure it (setters, flags)
// before output starts; it is not synchronised for concurrent mutation.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	color                          bool

	// width is queried lazily so a resized terminal is honoured by later
	// commands in a long-running session; fixed in tests.
	width func() int
}

// terminal abstracts x/term so System's decisions can be unit tested
// without a real terminal.
type terminal struct {
	isTerminal func(fd int) bool
	size       func(fd int) (width, height int, err error)
}

// System returns streams bound to the process' stdin/stdout/stderr.
func System() *IOStreams {
	return newSystem(os.Getenv, terminal{isTerminal: term.IsTerminal, size: term.GetSize}, os.Stdin, os.Stdout, os.Stderr)
}

func newSystem(getenv func(string) string, t terminal, in, out, errOut *os.File) *IOStreams {
	s := &IOStreams{
		In:        in,
		Out:       out,
		ErrOut:    errOut,
		stdinTTY:  t.isTerminal(int(in.Fd())),
		stdoutTTY: t.isTerminal(int(out.Fd())),
		stderrTTY: t.isTerminal(int(errOut.Fd())),
	}
	s.color = s.stdoutTTY && colorAllowed(getenv)
	s.width = func() int { return terminalWidth(getenv, t, int(out.Fd()), int(errOut.Fd())) }
	return s
}

// colorAllowed implements the environment half of the colour decision:
// NO_COLOR (any non-empty value, per no-color.org) and TERM=dumb veto colour.
func colorAllowed(getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// terminalWidth prefers the real terminal size, trying stderr when stdout is
// piped because progress output still goes to the terminal there. $COLUMNS
// covers the cases where no size can be queried (CI runners, editors).
func terminalWidth(getenv func(string) string, t terminal, fds ...int) int {
	for _, fd := range fds {
		if w, _, err := t.size(fd); err == nil && w > 0 {
			return w
		}
	}
	if w, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && w > 0 {
		return w
	}
	return defaultWidth
}

// Test returns streams backed by buffers: not a TTY, no colour, width 80.
func Test() (ios *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	ios = &IOStreams{In: in, Out: out, ErrOut: errOut}
	ios.SetTerminalWidth(defaultWidth)
	return ios, in, out, errOut
}

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// SetStdoutTTY overrides TTY detection for stdout (tests, forced modes).
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides TTY detection for stderr.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetStdinTTY overrides TTY detection for stdin.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// ColorEnabled reports whether output may contain ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// SetColorEnabled overrides the colour decision (e.g. --no-color). Printers
// snapshot this at construction, so call it before NewPrinter.
func (s *IOStreams) SetColorEnabled(v bool) { s.color = v }

// TerminalWidth is the number of columns available on stdout.
func (s *IOStreams) TerminalWidth() int {
	if s.width == nil {
		return defaultWidth
	}
	return s.width()
}

// SetTerminalWidth pins the width, overriding terminal detection.
func (s *IOStreams) SetTerminalWidth(w int) {
	if w <= 0 {
		w = defaultWidth
	}
	s.width = func() int { return w }
}

// CanPrompt reports whether an interactive question can be asked: someone
// must be able to both see it and answer it.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stdoutTTY }
