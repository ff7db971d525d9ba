package dlqcmd

import (
	"fmt"
	"sync"
	"time"

	"github.com/integr8scode/replayctl/internal/output"
)

// statusRedraw caps redraws of the live line at ten a second.
const statusRedraw = 100 * time.Millisecond

// statusLine redraws one line in place on a terminal's stderr; it is a
// no-op elsewhere, so logs of a long-running processor stay clean. Safe
// for concurrent use: the processor may report from several goroutines.
type statusLine struct {
	ios *output.IOStreams
	now func() time.Time

	mu    sync.Mutex
	last  time.Time
	drawn bool
	text  string
}

func newStatusLine(ios *output.IOStreams, now func() time.Time) *statusLine {
	return &statusLine{ios: ios, now: now}
}

func (s *statusLine) enabled() bool { return s != nil && s.ios.IsStderrTTY() }

// Set records the latest text and redraws if the last redraw is old enough.
func (s *statusLine) Set(text string) {
	if !s.enabled() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.text = text
	if now := s.now(); !s.drawn || now.Sub(s.last) >= statusRedraw {
		s.draw()
		s.last = now
	}
}

// Done draws the final text and ends the line, so what follows starts on
// a fresh one.
func (s *statusLine) Done() {
	if !s.enabled() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drawn {
		s.draw()
		fmt.Fprintln(s.ios.ErrOut)
	}
}

func (s *statusLine) draw() {
	s.drawn = true
	width := s.ios.TerminalWidth() - 1 // the last column makes some terminals wrap
	fmt.Fprintf(s.ios.ErrOut, "\r%s\x1b[K", output.Truncate(s.text, width))
}
