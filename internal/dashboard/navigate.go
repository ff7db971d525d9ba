package dashboard

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// handleKey routes a key to whatever has the focus: the modal, the filter
// input, the help overlay, then the view.
func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case msg.Type == tea.KeyCtrlC:
		return tea.Quit
	case m.modal != nil:
		return m.modalKey(msg)
	case m.filtering:
		return m.filterKey(msg)
	case m.showHelp:
		if key.Matches(msg, m.keys.Quit) {
			return tea.Quit
		}
		m.showHelp = false
		return nil
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Views):
		return m.switchTo(view(msg.Runes[0] - '1'))
	case key.Matches(msg, k.Next):
		return m.switchTo((m.topView() + 1) % topViews)
	case key.Matches(msg, k.Prev):
		return m.switchTo((m.topView() + topViews - 1) % topViews)
	case key.Matches(msg, k.Back):
		return m.back()
	case key.Matches(msg, k.Filter) && m.isList():
		m.filtering = true
		m.input.SetValue(m.filters[m.view])
		m.input.CursorEnd()
		return m.input.Focus()
	case key.Matches(msg, k.Up), key.Matches(msg, k.Down), key.Matches(msg, k.PageUp), key.Matches(msg, k.PageDown):
		m.move(msg)
	case key.Matches(msg, k.Enter):
		return m.open()
	case key.Matches(msg, k.Mark) && m.view == viewMessages:
		m.toggleMark()
	default:
		return m.actionKey(msg)
	}
	return nil
}

// topView is the numbered view the current screen belongs to.
func (m *Model) topView() view {
	switch m.view {
	case viewSessionDetail:
		return viewSessions
	case viewMessageDetail:
		return viewMessages
	}
	return m.view
}

func (m *Model) isList() bool { return m.view < topViews }

// switchTo opens a numbered view afresh: the detail stack and an error
// group limiting the messages are left behind.
func (m *Model) switchTo(v view) tea.Cmd {
	if v == m.view && len(m.stack) == 0 {
		return nil
	}
	m.stack = nil
	if v == viewMessages && m.group != "" {
		m.group, m.messages = "", nil
	}
	m.view = v
	m.status = ""
	return m.refreshSoon()
}

// back closes a detail or a group's messages; on a plain list it clears the
// filter.
func (m *Model) back() tea.Cmd {
	if m.filters[m.view] != "" {
		m.filters[m.view] = ""
		m.clampCursor()
		return nil
	}
	if len(m.stack) == 0 {
		return nil
	}
	if m.view == viewMessages && m.group != "" {
		m.group, m.messages = "", nil
	}
	m.view = m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return m.refreshSoon()
}

func (m *Model) push(v view) tea.Cmd {
	m.stack = append(m.stack, m.view)
	m.view = v
	m.status = ""
	return m.refreshSoon()
}

// open is Enter: a session or message opens its detail, an error group its
// messages.
func (m *Model) open() tea.Cmd {
	switch m.view {
	case viewSessions:
		if r, ok := m.currentSession(); ok {
			if m.sessionID != r.Session.SessionID {
				m.session = nil
			}
			m.sessionID = r.Session.SessionID
			m.offset[viewSessionDetail] = 0
			return m.push(viewSessionDetail)
		}
	case viewErrors:
		if g, ok := m.currentGroup(); ok {
			m.group, m.messages, m.msgTotal = g.Pattern, nil, 0
			m.cursor[viewMessages], m.filters[viewMessages] = 0, ""
			return m.push(viewMessages)
		}
	case viewMessages:
		if msg, ok := m.currentMessage(); ok {
			if m.eventID != msg.EventID() {
				m.message = nil
				m.detail.SetContent("")
			}
			m.eventID = msg.EventID()
			m.detail.GotoTop()
			m.sizeDetail()
			return m.push(viewMessageDetail)
		}
	}
	return nil
}

// move is the arrow keys: the cursor in a list, the scroll in a detail.
func (m *Model) move(msg tea.KeyMsg) {
	switch m.view {
	case viewMessageDetail:
		m.detail, _ = m.detail.Update(msg)
		return
	case viewSessionDetail:
		// scrolled clamps the offset to the content when it draws.
		page := max(m.bodyHeight()-2, 1)
		steps := map[bool]int{true: page, false: 1}[key.Matches(msg, m.keys.PageUp, m.keys.PageDown)]
		if key.Matches(msg, m.keys.Up, m.keys.PageUp) {
			steps = -steps
		}
		m.offset[m.view] = max(m.offset[m.view]+steps, 0)
		return
	}
	if !m.isList() {
		return
	}
	n := m.rowCount(m.view)
	c := m.cursor[m.view]
	page := max(m.bodyHeight()-2, 1)
	switch {
	case key.Matches(msg, m.keys.Up):
		c--
	case key.Matches(msg, m.keys.Down):
		c++
	case key.Matches(msg, m.keys.PageUp):
		c -= page
	case key.Matches(msg, m.keys.PageDown):
		c += page
	}
	m.cursor[m.view] = min(max(c, 0), max(n-1, 0))
}

func (m *Model) clampCursor() {
	for v := view(0); v < topViews; v++ {
		m.cursor[v] = min(max(m.cursor[v], 0), max(m.rowCount(v)-1, 0))
	}
}

// filterKey edits the `/` filter; the list narrows as one types, Enter
// keeps the filter and Esc drops it.
func (m *Model) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEnter:
		m.filtering = false
		m.input.Blur()
		return nil
	case tea.KeyEsc:
		m.filtering = false
		m.input.Blur()
		m.filters[m.view] = ""
		m.clampCursor()
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.filters[m.view] = m.input.Value()
	m.cursor[m.view] = 0
	return cmd
}

func (m *Model) toggleMark() {
	msg, ok := m.currentMessage()
	if !ok {
		return
	}
	id := msg.EventID()
	if m.marked[id] {
		delete(m.marked, id)
	} else {
		m.marked[id] = true
	}
	m.cursor[m.view] = min(m.cursor[m.view]+1, max(m.rowCount(m.view)-1, 0))
}
