package output

import (
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// tone names one of the styles Styles can apply.
type tone int

const (
	toneBold tone = iota
	toneFaint
	toneRed
	toneGreen
	toneYellow
	toneBlue
	toneCyan
	toneCount
)

// Styles applies terminal styling. With colour off every method returns its
// input unchanged, so callers never need to branch on colour themselves.
// A nil *Styles behaves like NewStyles(false).
type Styles struct {
	color bool
	tones [toneCount]lipgloss.Style
}

// NewStyles returns styles that emit ANSI escapes only when color is true.
func NewStyles(color bool) *Styles {
	s := &Styles{color: color}
	if !color {
		return s
	}
	// A private renderer pinned to the basic 16-colour profile: lipgloss'
	// default renderer is process-global and sniffs os.Stdout, which is
	// wrong when we render into buffers or --no-color/NO_COLOR already
	// decided. Basic ANSI colours also follow the user's terminal theme.
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	base := r.NewStyle().TabWidth(lipgloss.NoTabConversion)
	fg := func(ansi string) lipgloss.Style { return base.Foreground(lipgloss.Color(ansi)) }
	s.tones = [toneCount]lipgloss.Style{
		toneBold:   base.Bold(true),
		toneFaint:  base.Faint(true),
		toneRed:    fg("1"),
		toneGreen:  fg("2"),
		toneYellow: fg("3"),
		toneBlue:   fg("4"),
		toneCyan:   fg("6"),
	}
	return s
}

// Enabled reports whether these styles emit colour.
func (s *Styles) Enabled() bool { return s != nil && s.color }

// paint renders line by line because lipgloss pads multi-line input into a
// block of equal width, which would add trailing spaces to our output.
func (s *Styles) paint(t tone, text string) string {
	if !s.Enabled() || text == "" {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = s.tones[t].Render(l)
		}
	}
	return strings.Join(lines, "\n")
}

// statusTone maps lifecycle states to colours by meaning: blue in progress,
// green done well, red failed, yellow waiting on time or a human, faint
// deliberately stopped, cyan not started yet.
func statusTone(status string) (tone, bool) {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "running":
		return toneBlue, true
	case "completed", "retried":
		return toneGreen, true
	case "failed":
		return toneRed, true
	case "paused", "scheduled", "cancelling":
		return toneYellow, true
	case "cancelled", "discarded":
		return toneFaint, true
	case "pending", "created", "preview":
		return toneCyan, true
	}
	return 0, false
}

// Status colours a status word (matched case-insensitively, printed as
// given) so the state of many rows can be scanned at a glance. Unknown words
// stay plain.
func (s *Styles) Status(status string) string {
	if t, ok := statusTone(status); ok {
		return s.paint(t, status)
	}
	return status
}

// Bold styles text as bold.
func (s *Styles) Bold(text string) string { return s.paint(toneBold, text) }

// Faint styles text as dim/grey, for de-emphasised details.
func (s *Styles) Faint(text string) string { return s.paint(toneFaint, text) }

// Green styles text green.
func (s *Styles) Green(text string) string { return s.paint(toneGreen, text) }

// Red styles text red.
func (s *Styles) Red(text string) string { return s.paint(toneRed, text) }

// Yellow styles text yellow.
func (s *Styles) Yellow(text string) string { return s.paint(toneYellow, text) }

// Blue styles text blue.
func (s *Styles) Blue(text string) string { return s.paint(toneBlue, text) }

// Cyan styles text cyan.
func (s *Styles) Cyan(text string) string { return s.paint(toneCyan, text) }

// SuccessIcon is a green check mark.
func (s *Styles) SuccessIcon() string { return s.Green("✓") }

// WarningIcon is a yellow exclamation mark.
func (s *Styles) WarningIcon() string { return s.Yellow("!") }

// FailureIcon is a red X; plain ASCII renders in every font.
func (s *Styles) FailureIcon() string { return s.Red("X") }
