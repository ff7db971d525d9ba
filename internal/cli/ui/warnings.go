package uicmd

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// warnings collects what the commands' code paths would print to stderr
// (cmdutil.Factory.Warnings) while the dashboard owns the terminal, for the
// action that caused it to name in its result line.
type warnings struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *warnings) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// drain returns the warnings written since the last drain, one per line,
// without their "Warning: " prefix.
func (w *warnings) drain() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	text := strings.TrimSpace(w.buf.String())
	w.buf.Reset()
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(strings.TrimSpace(l), "Warning: ")
	}
	return lines
}

// noted appends the warnings the action caused to its result line, or to
// its error when it has no line.
func (w *warnings) noted(line string, err error) (string, error) {
	ws := w.drain()
	if len(ws) == 0 {
		return line, err
	}
	note := "warning: " + strings.Join(ws, "; warning: ")
	if err != nil {
		return line, fmt.Errorf("%w; %s", err, note)
	}
	return line + "; " + note, nil
}
