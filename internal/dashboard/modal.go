package dashboard

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/integr8scode/replayctl/internal/output"
)

// modal is a confirmation: it names what will happen and to how many
// items. A discard also asks for the reason the audit trail records.
type modal struct {
	title  string // with countMark for the count when it comes from Actions.Count
	group  bool   // an error group: above MaxSyncGroup it becomes a redrive job
	lines  []string
	reason *textinput.Model
	hint   string
	run    func(ctx context.Context, reason string) (string, error)
	unmark bool // it applies to the marks, which are spent once it succeeds
}

// countMark stands for the count in a title until it is known; not a
// Sprintf verb, because the title may quote an error pattern holding "%".
const countMark = "\x00count\x00"

func (d *modal) setCount(n int64) {
	d.title = strings.Replace(d.title, countMark, plural(n, "message"), 1)
	if d.group && n > MaxSyncGroup {
		d.lines = []string{
			fmt.Sprintf("More than %d: this creates a redrive job that a worker", MaxSyncGroup),
			"carries out (jobs view, key 5); the audit trail records it.",
		}
	}
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (d *modal) view(m *Model) string {
	lines := []string{m.st.Bold(d.title), ""}
	lines = append(lines, d.lines...)
	if d.reason != nil {
		lines = append(lines, "", d.reason.View())
	}
	if d.hint != "" {
		lines = append(lines, "", m.st.Red(d.hint))
	}
	if d.reason != nil {
		lines = append(lines, "", "enter confirms · esc cancels")
	} else {
		lines = append(lines, "", "y confirms · n or esc cancels")
	}
	width := min(max(m.width-8, 30), 72)
	for i, l := range lines {
		lines[i] = output.Truncate(l, width)
	}
	return m.st.modal.Width(width + 4).Render(strings.Join(lines, "\n"))
}

func (d *modal) keys(k keyMap) []key.Binding {
	if d.reason != nil {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		}
	}
	return []key.Binding{k.Confirm, k.Deny}
}

// modalKey: y (or Enter with a reason) runs the action, n or Esc drops it.
func (m *Model) modalKey(msg tea.KeyMsg) tea.Cmd {
	d := m.modal
	if d.reason != nil {
		switch msg.Type {
		case tea.KeyEsc:
			m.modal = nil
			m.status = "Cancelled."
			return nil
		case tea.KeyEnter:
			if strings.TrimSpace(d.reason.Value()) == "" {
				d.hint = "A discard needs a reason."
				return nil
			}
			return m.confirm(strings.TrimSpace(d.reason.Value()))
		}
		in, cmd := d.reason.Update(msg)
		d.reason = &in
		d.hint = ""
		return cmd
	}
	switch {
	case key.Matches(msg, m.keys.Confirm):
		return m.confirm("")
	case key.Matches(msg, m.keys.Deny):
		m.modal = nil
		m.status = "Cancelled."
	}
	return nil
}

func (m *Model) confirm(reason string) tea.Cmd {
	run, unmark := m.modal.run, m.modal.unmark
	m.modal = nil
	m.running++
	m.setStatus("Working…", nil)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		text, err := run(ctx, reason)
		return actionDoneMsg{text: text, err: err, unmark: unmark}
	}
}

// actionKey opens the confirmation of the action a key names on the
// current item, or says why there is none.
func (m *Model) actionKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	var b *key.Binding
	for _, a := range k.actionKeys(m.view) {
		if key.Matches(msg, a) {
			b = &a
			break
		}
	}
	if b == nil || key.Matches(msg, k.Mark) {
		return nil
	}
	if m.opts.ReadOnly {
		m.setStatus("read-only: actions are disabled (started with --read-only)", nil)
		return nil
	}
	switch m.view {
	case viewSessions, viewSessionDetail:
		m.sessionAction(msg)
	case viewJobs:
		m.jobAction()
	default:
		return m.messageAction(msg)
	}
	return nil
}

func (m *Model) sessionAction(msg tea.KeyMsg) {
	id := m.sessionID
	if m.view == viewSessions {
		r, ok := m.currentSession()
		if !ok {
			return
		}
		id = r.Session.SessionID
	}
	a, short := m.opts.Actions, output.ShortID(id)
	switch {
	case key.Matches(msg, m.keys.Pause):
		m.modal = &modal{title: "Pause session " + short + "?", lines: []string{
			"Its runner stops after the event in flight and checkpoints;", "r resumes it from there."},
			run: func(ctx context.Context, _ string) (string, error) { return a.PauseSession(ctx, id) }}
	case key.Matches(msg, m.keys.Resume):
		m.modal = &modal{title: "Resume session " + short + "?", lines: []string{
			"A worker takes it and replays from its checkpoint,", "as `replay resume --detach` does."},
			run: func(ctx context.Context, _ string) (string, error) { return a.ResumeSession(ctx, id) }}
	case key.Matches(msg, m.keys.Cancel):
		m.modal = &modal{title: "Cancel session " + short + "?", lines: []string{
			"Its runner stops for good; a cancelled session cannot be resumed."},
			run: func(ctx context.Context, _ string) (string, error) { return a.CancelSession(ctx, id) }}
	}
}

func (m *Model) jobAction() {
	j, ok := m.currentJob()
	if !ok {
		return
	}
	if j.Status.Terminal() {
		m.setStatus(fmt.Sprintf("Job %s is %s already.", output.ShortID(j.ID), j.Status), nil)
		return
	}
	a, id := m.opts.Actions, j.ID
	m.modal = &modal{title: "Cancel job " + output.ShortID(id) + "?", lines: []string{
		fmt.Sprintf("A %s job, %d of %d handled.", j.Kind, j.Handled(), j.ToMove),
		"Its holder stops after the chunk in flight; what is done stays done."},
		run: func(ctx context.Context, _ string) (string, error) { return a.CancelJob(ctx, id) }}
}

// selection is what a message action applies to: the error group on the
// errors view, else the marked messages the filter shows, else the one
// under the cursor. hidden is how many marked ones the filter hides (and
// the action leaves alone).
func (m *Model) selection() (sel Selection, what string, hidden int, ok bool) {
	switch m.view {
	case viewErrors:
		g, ok := m.currentGroup()
		return Selection{ErrorPattern: g.Pattern}, fmt.Sprintf(" of error group %q", g.Pattern), 0, ok
	case viewMessageDetail:
		return Selection{EventIDs: []string{m.eventID}}, "", 0, m.eventID != ""
	}
	ids, hidden := m.markedSelection()
	if len(ids) > 0 {
		return Selection{EventIDs: ids}, " (the marked ones)", hidden, true
	}
	msg, ok := m.currentMessage()
	return Selection{EventIDs: []string{msg.EventID()}}, "", hidden, ok
}

func (m *Model) messageAction(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Edit) {
		return m.startEdit()
	}
	sel, what, hidden, ok := m.selection()
	if !ok {
		return nil
	}
	a := m.opts.Actions
	d := &modal{unmark: what == " (the marked ones)", group: sel.ErrorPattern != ""}
	switch {
	case key.Matches(msg, m.keys.Retry):
		d.title = "Retry " + countMark + what + "?"
		d.lines = []string{"Each is sent once to its original topic now;", "the audit trail records who did it."}
		d.run = func(ctx context.Context, _ string) (string, error) { return a.Retry(ctx, sel) }
	case key.Matches(msg, m.keys.Discard):
		d.title = "Discard " + countMark + what + "?"
		d.lines = []string{"Discarded messages stay in the DLQ with your reason;", "the audit trail records who did it."}
		in := newInput(m.st, "reason: ")
		in.Placeholder = "why (recorded in the audit trail)"
		in.Focus()
		d.reason = &in
		d.run = func(ctx context.Context, reason string) (string, error) { return a.Discard(ctx, sel, reason) }
	default:
		return nil
	}
	if hidden > 0 {
		d.lines = append(d.lines, fmt.Sprintf("Left alone: %s hidden by the filter.", plural(int64(hidden), "marked message")))
	}
	if len(sel.EventIDs) == 1 && sel.ErrorPattern == "" {
		d.title = strings.Replace(d.title, countMark, "message "+visible(output.ShortID(sel.EventIDs[0])), 1)
		m.modal = d
		return nil
	}
	// A group or a marked set may have changed since the screen was drawn:
	// the modal names the count the action will meet now.
	m.setStatus("Counting…", nil)
	seq := m.request()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), maxQuery)
		defer cancel()
		n, err := a.Count(ctx, sel)
		return countMsg{seq: seq, modal: d, n: n, err: err}
	}
}

// startEdit asks Actions for an editor on the current message; the
// dashboard then suspends while it runs (runEditor).
func (m *Model) startEdit() tea.Cmd {
	var id string
	switch m.view {
	case viewMessageDetail:
		id = m.eventID
	case viewMessages:
		msg, ok := m.currentMessage()
		if !ok {
			return nil
		}
		id = msg.EventID()
	default:
		m.setStatus("e edits one message: open the group (enter) and pick one.", nil)
		return nil
	}
	a := m.opts.Actions
	m.setStatus("Opening the editor…", nil)
	seq := m.request()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), maxQuery)
		defer cancel()
		e, err := a.Edit(ctx, id)
		return editReadyMsg{seq: seq, edit: e, err: err}
	}
}

// discardEdit gives up an edit that arrived too late to open.
func discardEdit(e *EditSession) tea.Cmd {
	if e == nil || e.Discard == nil {
		return nil
	}
	return func() tea.Msg {
		e.Discard()
		return nil
	}
}

func (m *Model) runEditor(msg editReadyMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus("", msg.err)
		return nil
	}
	e := msg.edit
	return tea.ExecProcess(e.Cmd, func(err error) tea.Msg { return editorDoneMsg{edit: e, err: err} })
}

func (m *Model) finishEdit(msg editorDoneMsg) tea.Cmd {
	m.running++
	m.setStatus("Saving the edit…", nil)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		text, err := msg.edit.Finish(ctx, msg.err)
		return actionDoneMsg{text: text, err: err}
	}
}
