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
		return m.quit()
	case m.modal != nil:
		return m.modalKey(msg)
	case m.filtering:
		return m.filterKey(msg)
	case m.showHelp:
		if key.Matches(msg, m.keys.Quit) {
			return m.quit()
		}
		m.showHelp = false
		return nil
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
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
	case key.Matches(msg, k.Unmark) && m.view == viewMessages:
		m.marked = map[string]bool{}
	case key.Matches(msg, k.Left, k.Right) && m.view == viewMessageDetail:
		m.detail, _ = m.detail.Update(msg)
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

// quit ends the program, unless an action is running: its client calls
// would be cut mid-write (a retry sent but its DLQ status and audit record
// not written), so the first q only warns.
func (m *Model) quit() tea.Cmd {
	if m.running > 0 && !m.quitAsked {
		m.quitAsked = true
		m.setStatus("An action is running; press q again to abandon it.", nil)
		return nil
	}
	return tea.Quit
}

// request starts a count or edit request and returns its number.
func (m *Model) request() int {
	m.requests++
	m.awaited = m.requests
	return m.awaited
}

// answers says whether seq's answer is still wanted: it is the latest
// request, the screen has not moved since, and no modal is open.
func (m *Model) answers(seq int) bool {
	if seq != m.awaited {
		if m.awaited == 0 && (m.status == "Counting…" || m.status == "Opening the editor…") {
			m.status = ""
		}
		return false
	}
	m.awaited = 0
	return m.modal == nil
}

// leaveMessages forgets what belongs to the messages view's current list:
// the marks, and the group's data, which must not show under another
// group with its age.
func (m *Model) leaveMessages(group string) {
	m.marked = map[string]bool{}
	if group != m.group {
		m.group, m.messages, m.msgTotal = group, nil, 0
		delete(m.loadedAt, viewMessages)
		delete(m.selected, viewMessages)
		m.cursor[viewMessages], m.offset[viewMessages] = 0, 0
	}
}

// switchTo opens a numbered view afresh: the detail stack and an error
// group limiting the messages are left behind.
func (m *Model) switchTo(v view) tea.Cmd {
	if v == m.view && len(m.stack) == 0 {
		return nil
	}
	m.stack = nil
	m.awaited = 0
	m.leaveMessages("")
	m.view = v
	m.status = ""
	return m.refreshSoon()
}

// back closes a detail or a group's messages; on a plain list it clears the
// filter.
func (m *Model) back() tea.Cmd {
	m.awaited = 0
	if m.filters[m.view] != "" {
		m.filters[m.view] = ""
		m.reselectView(m.view)
		return nil
	}
	if len(m.stack) == 0 {
		return nil
	}
	if m.view == viewMessages {
		m.leaveMessages("")
	}
	m.view = m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return m.refreshSoon()
}

func (m *Model) push(v view) tea.Cmd {
	m.stack = append(m.stack, m.view)
	m.awaited = 0
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
				delete(m.loadedAt, viewSessionDetail)
			}
			m.sessionID = r.Session.SessionID
			m.offset[viewSessionDetail] = 0
			return m.push(viewSessionDetail)
		}
	case viewErrors:
		if g, ok := m.currentGroup(); ok {
			m.leaveMessages(g.Pattern)
			m.groupCount, m.filters[viewMessages] = g.Count, ""
			return m.push(viewMessages)
		}
	case viewMessages:
		if msg, ok := m.currentMessage(); ok {
			if m.eventID != msg.EventID() {
				m.message = nil
				m.detail.SetContent(m.messageContent())
				delete(m.loadedAt, viewMessageDetail)
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
	m.remember(m.view)
}

// remember notes which row the cursor of v is on, by its key.
func (m *Model) remember(v view) {
	l := m.list(v)
	vis := m.visible(v, l)
	if c := m.cursor[v]; c >= 0 && c < len(vis) {
		m.selected[v] = l.keys[vis[c]]
	}
}

// reselect puts every list's cursor back on the row it was on: rows come
// and go above it at each refresh, and an action must apply to the row the
// operator chose, not to whatever now sits at its index.
func (m *Model) reselect() {
	for v := view(0); v < topViews; v++ {
		m.reselectView(v)
	}
}

// reselectView moves the cursor of v to its remembered row, or, when that
// row is gone (or hidden by the filter), clamps it and remembers the row
// it lands on.
func (m *Model) reselectView(v view) {
	l := m.list(v)
	vis := m.visible(v, l)
	if id, ok := m.selected[v]; ok {
		for i, idx := range vis {
			if l.keys[idx] == id {
				m.cursor[v] = i
				return
			}
		}
	}
	m.cursor[v] = min(max(m.cursor[v], 0), max(len(vis)-1, 0))
	m.remember(v)
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
		m.reselectView(m.view)
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.filters[m.view] = m.input.Value()
	m.reselectView(m.view)
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
	m.remember(m.view)
}

// dropGoneMarks forgets marks on messages no longer listed: they could
// neither be seen nor unmarked.
func (m *Model) dropGoneMarks() {
	listed := make(map[string]bool, len(m.messages))
	for _, msg := range m.messages {
		listed[msg.EventID()] = true
	}
	for id := range m.marked {
		if !listed[id] {
			delete(m.marked, id)
		}
	}
}

// markedSelection are the marked messages the filter shows, and how many
// marked ones it hides.
func (m *Model) markedSelection() (ids []string, hidden int) {
	l := m.list(viewMessages)
	for _, idx := range m.visible(viewMessages, l) {
		if m.marked[l.keys[idx]] {
			ids = append(ids, l.keys[idx])
		}
	}
	return ids, len(m.marked) - len(ids)
}
