package dashboard

import (
	"fmt"
	"strings"

	"github.com/integr8scode/replayctl/internal/output"
)

// visible replaces control characters (C0, DEL and C1) with a visible
// escape such as `\x1b`: DLQ errors, headers, event types, topics and
// lease owners come from producers, and a raw ESC, CR or OSC sequence
// among them would move the cursor, recolour or retitle the operator's
// terminal.
func visible(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// wrapText breaks plain text into lines of at most width display columns,
// at spaces where it can and inside a word longer than a line.
func wrapText(s string, width int) []string {
	if width < 1 || output.Width(s) <= width {
		return []string{s}
	}
	var lines []string
	line, w := []rune{}, 0
	flush := func() {
		lines = append(lines, strings.TrimRight(string(line), " "))
		line, w = line[:0:0], 0
	}
	for _, word := range strings.SplitAfter(s, " ") {
		ww := output.Width(word)
		if w > 0 && w+output.Width(strings.TrimRight(word, " ")) > width {
			flush()
		}
		if ww <= width-w {
			line, w = append(line, []rune(word)...), w+ww
			continue
		}
		for _, r := range word {
			rw := output.Width(string(r))
			if w+rw > width {
				flush()
			}
			line, w = append(line, r), w+rw
		}
	}
	if w > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}
