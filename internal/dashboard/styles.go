package dashboard

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/integr8scode/replayctl/internal/output"
)

// styles are the dashboard's looks. Everything is rendered by a private
// renderer pinned to a profile chosen from Options.Color, never by
// lipgloss' global one, which sniffs os.Stdout and would ignore --no-color.
type styles struct {
	*output.Styles
	r        *lipgloss.Renderer
	selected lipgloss.Style
	tab      lipgloss.Style
	tabOn    lipgloss.Style
	banner   lipgloss.Style
	modal    lipgloss.Style
	key      lipgloss.Style
	faint    lipgloss.Style
}

func newStyles(color bool) styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	if color {
		r.SetColorProfile(termenv.ANSI)
	}
	base := r.NewStyle()
	return styles{
		Styles:   output.NewStyles(color),
		r:        r,
		selected: base.Reverse(true),
		tab:      base.Faint(true),
		tabOn:    base.Bold(true).Underline(true),
		banner:   base.Foreground(lipgloss.Color("1")).Bold(true),
		modal:    base.Border(lipgloss.NormalBorder()).Padding(0, 1),
		key:      base.Bold(true),
		faint:    base.Faint(true),
	}
}
