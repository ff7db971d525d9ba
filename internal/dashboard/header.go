package dashboard

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"

	"github.com/integr8scode/replayctl/internal/output"
)

// View draws the whole screen: header, tabs, banner, the view (or the help
// overlay or a modal over it), the status line and the keys.
func (m *Model) View() string {
	lines := []string{m.header(), m.tabs()}
	if b := m.bannerText(); b != "" {
		lines = append(lines, m.st.banner.Render(output.Truncate(b, m.width)))
	}
	h := m.bodyHeight()
	var body []string
	switch {
	case m.showHelp:
		body = m.helpLines()
	case m.view == viewSessionDetail:
		body = m.scrolled(m.sessionLines(), h)
	case m.view == viewMessageDetail:
		body = m.messageDetailLines()
	default:
		body = m.renderList(m.view, h)
	}
	if m.modal != nil {
		body = strings.Split(lipgloss.Place(m.width, h, lipgloss.Center, lipgloss.Center, m.modal.view(m), lipgloss.WithWhitespaceChars(" ")), "\n")
	}
	for len(body) < h {
		body = append(body, "")
	}
	lines = append(lines, body[:h]...)
	lines = append(lines, m.statusLine(), m.footer())
	for i, l := range lines {
		lines[i] = strings.TrimRight(output.Truncate(l, m.width), " ")
	}
	return strings.Join(lines, "\n")
}

// header names the context and says whether each server answered and when
// the screen was last refreshed.
func (m *Model) header() string {
	parts := []string{m.st.Bold("replayctl ui")}
	if m.opts.Context != "" {
		parts = append(parts, "context "+m.opts.Context)
	}
	state := func(name string, err error) string {
		switch {
		case !m.pinged:
			return name + " …"
		case err != nil:
			return name + " " + m.st.Red("down")
		}
		return name + " " + m.st.Green("up")
	}
	parts = append(parts, state("MongoDB", m.health.Mongo), state("Kafka", m.health.Kafka))
	if !m.refreshedAt.IsZero() {
		parts = append(parts, "refreshed "+m.refreshedAt.UTC().Format(time.TimeOnly)+" UTC")
	}
	if m.opts.ReadOnly {
		parts = append(parts, m.st.Yellow("read-only"))
	}
	return strings.Join(parts, " · ")
}

// tabs are the numbered views, the current one highlighted.
func (m *Model) tabs() string {
	top := m.topView()
	parts := make([]string, 0, topViews)
	for v := view(0); v < topViews; v++ {
		label := fmt.Sprintf("%d %s", v+1, viewNames[v])
		if v == top {
			if m.st.Enabled() {
				label = m.st.tabOn.Render(label)
			} else {
				label = "[" + label + "]"
			}
		} else {
			label = " " + label + " "
			if m.st.Enabled() {
				label = m.st.tab.Render(label)
			}
		}
		parts = append(parts, label)
	}
	return strings.Join(parts, " ")
}

// bannerText names the server that did not answer, or the query that
// failed, and how old the data on screen is.
func (m *Model) bannerText() string {
	var server, what string
	switch {
	case m.health.Mongo != nil:
		server, what = "MongoDB unreachable", shortErr(m.health.Mongo, 100)
	case m.health.Kafka != nil:
		server, what = "Kafka unreachable", shortErr(m.health.Kafka, 100)
	case m.queryErr != nil:
		server, what = "query failed", shortErr(m.queryErr, 100)
	default:
		return ""
	}
	if m.health.Mongo == nil && m.queryErr == nil {
		// Kafka alone down: every view reads MongoDB, so the data is fresh.
		return "! " + server + " · " + what
	}
	// The age comes before the error so that truncation at 80 columns
	// cuts the error, not the age.
	age := "no data yet"
	if at, ok := m.loadedAt[m.view]; ok {
		age = "data from " + output.Duration(m.opts.Now().Sub(at).Round(time.Second)) + " ago"
	}
	return "! " + server + " · " + age + " · " + what
}

// shortErr is an error's first line, its wrapped chain cut to the
// innermost cause when the whole would not fit in n columns.
func shortErr(err error, n int) string {
	s := oneLine(err.Error())
	if len(s) > n {
		inner := err
		for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
			inner = u
		}
		if inner != err {
			s = oneLine(inner.Error())
		}
	}
	return output.Truncate(s, n)
}

func (m *Model) statusLine() string {
	switch {
	case m.status == "":
		return ""
	case m.statusErr:
		return m.st.Red(m.status)
	}
	return m.status
}

func (m *Model) footer() string {
	if m.modal != nil {
		return m.help.ShortHelpView(m.modal.keys(m.keys))
	}
	return m.help.ShortHelpView(m.keys.shortHelp(m.view))
}

func (m *Model) helpLines() []string {
	lines := []string{m.st.Bold("Keys"), ""}
	lines = append(lines, strings.Split(m.help.FullHelpView(m.keys.fullHelp()), "\n")...)
	lines = append(lines, "", m.st.Faint("Any key closes this help."))
	if m.opts.ReadOnly {
		lines = append(lines, m.st.Faint("Started with --read-only: every action is disabled."))
	}
	return lines
}

// scrolled keeps a detail's title line and shows the rest from the
// detail's scroll offset, so the last errors stay reachable at 80×24.
func (m *Model) scrolled(lines []string, h int) []string {
	if len(lines) <= h {
		m.offset[m.view] = 0
		return lines
	}
	off := min(max(m.offset[m.view], 0), len(lines)-h)
	m.offset[m.view] = off
	return append(lines[:1:1], lines[1+off:]...)
}

func (m *Model) messageDetailLines() []string {
	title := m.st.Bold("Message ") + m.eventID
	if m.message != nil {
		title += fmt.Sprintf("  %3.f%%", m.detail.ScrollPercent()*100)
	}
	return append([]string{title}, strings.Split(m.detail.View(), "\n")...)
}

// newHelp is bubbles/help drawn with the dashboard's renderer.
func newHelp(st styles) help.Model {
	h := help.New()
	h.ShortSeparator = "  "
	h.Styles = help.Styles{
		ShortKey:       st.key,
		ShortDesc:      st.r.NewStyle(),
		ShortSeparator: st.faint,
		FullKey:        st.key,
		FullDesc:       st.r.NewStyle(),
		FullSeparator:  st.faint,
		Ellipsis:       st.faint,
	}
	return h
}

// newInput is a text input that does not blink: a blinking cursor would
// redraw the screen twice a second for nothing.
func newInput(st styles, prompt string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.PromptStyle = st.r.NewStyle()
	in.TextStyle = st.r.NewStyle()
	in.PlaceholderStyle = st.faint
	in.Cursor.Style = st.r.NewStyle()
	in.Cursor.TextStyle = st.r.NewStyle()
	in.Cursor.SetMode(cursor.CursorStatic)
	return in
}

func padRight(s string, w int) string {
	if d := w - output.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
