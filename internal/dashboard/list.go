package dashboard

import (
	"fmt"
	"strings"
)

// list is what a list view shows: plain cells (what the filter matches),
// the row keys marks use, and the column whose words are statuses.
type list struct {
	cols      []column
	rows      [][]string
	keys      []string
	statusCol int
	empty     string // what an empty list says
}

func (m *Model) list(v view) list {
	switch v {
	case viewSessions:
		return m.sessionsList()
	case viewTopics:
		return m.topicsList()
	case viewErrors:
		return m.errorsList()
	case viewMessages:
		return m.messagesList()
	case viewJobs:
		return m.jobsList()
	case viewWorkers:
		return m.workersList()
	}
	return list{}
}

// visible are the indexes of the rows the view's filter lets through.
func (m *Model) visible(v view, l list) []int {
	q := m.filters[v]
	out := make([]int, 0, len(l.rows))
	for i, r := range l.rows {
		if matchesFilter(r, q) {
			out = append(out, i)
		}
	}
	return out
}

func (m *Model) rowCount(v view) int {
	if v >= topViews {
		return 0
	}
	l := m.list(v)
	return len(m.visible(v, l))
}

// current is the index (into the view's data) of the row under the cursor.
func (m *Model) current(v view) (int, bool) {
	l := m.list(v)
	vis := m.visible(v, l)
	c := m.cursor[v]
	if c < 0 || c >= len(vis) {
		return 0, false
	}
	return vis[c], true
}

// renderList draws the title line, the column titles and the rows that fit
// in height lines.
func (m *Model) renderList(v view, height int) []string {
	l := m.list(v)
	vis := m.visible(v, l)
	lines := []string{m.listTitle(v, len(vis), len(l.rows))}
	keep, widths := fitColumns(l.cols, m.width)
	titles := make([]string, len(l.cols))
	for i, c := range l.cols {
		titles[i] = c.Title
	}
	lines = append(lines, m.st.Faint(renderRow("  ", titles, keep, widths, nil)))
	rows := height - 2
	if len(vis) == 0 {
		empty := l.empty
		if len(l.rows) > 0 {
			empty = "nothing matches the filter (esc clears it)"
		}
		if _, ok := m.loadedAt[v]; !ok {
			empty = "loading…"
		}
		return append(lines, "  "+m.st.Faint(empty))
	}
	off := listWindow(m.offset[v], m.cursor[v], rows, len(vis))
	m.offset[v] = off
	paint := func(col int, cell string) string {
		if col == l.statusCol {
			return m.st.Status(cell)
		}
		return cell
	}
	for i := off; i < len(vis) && i < off+rows; i++ {
		idx := vis[i]
		gutter := "  "
		if l.keys != nil && m.marked[l.keys[idx]] {
			gutter = " *"
		}
		if i == m.cursor[v] {
			gutter = ">" + gutter[1:]
		}
		line := renderRow(gutter, l.rows[idx], keep, widths, paint)
		if i == m.cursor[v] && m.st.Enabled() {
			line = m.st.selected.Render(padRight(line, m.width))
		}
		lines = append(lines, line)
	}
	return lines
}

func (m *Model) listTitle(v view, shown, total int) string {
	title := m.st.Bold(viewNames[v])
	if v == viewMessages && m.group != "" {
		title = m.st.Bold("Messages of error group ") + fmt.Sprintf("%q", m.group)
	}
	n := fmt.Sprintf("%d", total)
	if shown != total {
		n = fmt.Sprintf("%d of %d", shown, total)
	}
	if v == viewMessages && m.group == "" && m.msgTotal > int64(total) {
		n = fmt.Sprintf("%s, newest %d of %d", n, total, m.msgTotal)
	}
	parts := []string{title, "(" + n + ")"}
	if v == viewMessages && len(m.marked) > 0 {
		parts = append(parts, fmt.Sprintf("%d marked", len(m.marked)))
	}
	switch {
	case m.filtering:
		parts = append(parts, m.input.View())
	case m.filters[v] != "":
		parts = append(parts, "filter: "+m.filters[v])
	}
	return strings.Join(parts, "  ")
}
