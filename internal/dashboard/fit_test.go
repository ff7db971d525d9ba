package dashboard

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/integr8scode/replayctl/internal/output"
)

// TestEveryViewFitsTheTerminal draws every view, the help and a modal, in
// colour and without, at 80×24 and 132×50, and checks that the frame has
// exactly the terminal's height and no line is wider than it: a wider line
// would wrap and scroll the header off the screen.
func TestEveryViewFitsTheTerminal(t *testing.T) {
	for _, color := range []bool{false, true} {
		for _, size := range [][2]int{{80, 24}, {132, 50}} {
			t.Run(fmt.Sprintf("color=%v/%dx%d", color, size[0], size[1]), func(t *testing.T) {
				src, act := newFakes()
				clk := &clock{t: t0}
				m := New(Options{Source: src, Actions: act, Now: clk.Now, Color: color})
				m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				check := func(name string) {
					t.Helper()
					lines := strings.Split(m.View(), "\n")
					if len(lines) != size[1] {
						t.Errorf("%s: %d lines, want %d", name, len(lines), size[1])
					}
					for i, l := range lines {
						if w := output.Width(l); w > size[0] {
							t.Errorf("%s: line %d is %d columns wide:\n%s", name, i, w, l)
						}
					}
					if !color && strings.Contains(m.View(), "\x1b[") {
						t.Errorf("%s: escape sequences without colour", name)
					}
				}
				refresh := func() { m.Update(m.refreshCmd()()) }
				for v := view(0); v < topViews; v++ {
					m.switchTo(v)
					refresh()
					check(viewNames[v])
				}
				m.switchTo(viewSessions)
				refresh()
				m.open()
				refresh()
				check("session detail")
				m.switchTo(viewMessages)
				refresh()
				m.open()
				refresh()
				check("message detail")
				m.back()
				m.handleKey(keyMsg("D"))
				check("discard modal")
				m.modal = nil
				m.showHelp = true
				check("help")
				m.showHelp = false
				src.SetPingErr(errMongoDown)
				refresh()
				check("banner")
			})
		}
	}
}
