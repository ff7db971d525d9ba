package dashboard

import "github.com/charmbracelet/bubbles/key"

// keyMap is the dashboard's one keymap; the footer and the `?` overlay are
// drawn from it, so what they say is what the keys do.
type keyMap struct {
	Up, Down, PageUp, PageDown key.Binding
	Enter, Back, Next, Prev    key.Binding
	Views, Filter, Help, Quit  key.Binding
	Mark                       key.Binding
	Pause, Resume, Cancel      key.Binding
	Retry, Discard, Edit       key.Binding
	Confirm, Deny              key.Binding
	readOnly                   bool
}

func newKeyMap(readOnly bool) keyMap {
	k := keyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back/clear")),
		Next:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next view")),
		Prev:     key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous view")),
		Views:    key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6"), key.WithHelp("1-6", "views")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Mark:     key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark")),
		Pause:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause")),
		Resume:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resume")),
		Cancel:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel")),
		Retry:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "retry")),
		Discard:  key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "discard")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Confirm:  key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")),
		Deny:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "cancel")),
	}
	k.readOnly = readOnly
	if readOnly {
		// The keys stay bound so pressing one can say why nothing happens.
		for _, b := range []*key.Binding{&k.Pause, &k.Resume, &k.Cancel, &k.Retry, &k.Discard, &k.Edit} {
			b.SetHelp(b.Help().Key, b.Help().Desc+" (read-only)")
		}
	}
	return k
}

// actionKeys are the bindings of the actions the view offers.
func (k keyMap) actionKeys(v view) []key.Binding {
	switch v {
	case viewSessions, viewSessionDetail:
		return []key.Binding{k.Pause, k.Resume, k.Cancel}
	case viewMessages:
		return []key.Binding{k.Mark, k.Retry, k.Discard, k.Edit}
	case viewMessageDetail:
		return []key.Binding{k.Retry, k.Discard, k.Edit}
	case viewErrors:
		return []key.Binding{k.Retry, k.Discard}
	case viewJobs:
		return []key.Binding{k.Cancel}
	}
	return nil
}

// shortHelp is the footer of view v.
func (k keyMap) shortHelp(v view) []key.Binding {
	out := []key.Binding{k.Enter, k.Filter}
	switch v {
	case viewSessionDetail, viewMessageDetail:
		out = []key.Binding{k.Back}
	case viewTopics, viewWorkers, viewJobs:
		out = []key.Binding{k.Filter}
	}
	if k.readOnly {
		if acts := k.actionKeys(v); len(acts) > 0 {
			// One note for all of them: the footer has no room for each
			// key with "(read-only)" at 80 columns.
			out = append(out, key.NewBinding(key.WithKeys(acts[0].Keys()...), key.WithHelp("read-only:", "actions disabled")))
		}
	} else {
		out = append(out, k.actionKeys(v)...)
	}
	return append(out, k.Help, k.Quit)
}

// fullHelp is the `?` overlay: every key, in columns.
func (k keyMap) fullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Views, k.Next, k.Prev, k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Enter, k.Back, k.Filter, k.Help, k.Quit},
		{k.Pause, k.Resume, k.Cancel, k.Mark, k.Retry, k.Discard, k.Edit},
	}
}
