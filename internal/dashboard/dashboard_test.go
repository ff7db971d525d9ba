package dashboard

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/charmbracelet/x/exp/golden"
)

// harness runs the model in a teatest program against the fakes.
type harness struct {
	t   *testing.T
	tm  *teatest.TestModel
	src *fakeSource
	act *fakeActions
	clk *clock
}

type harnessOpt func(*Options)

func readOnly(o *Options) { o.ReadOnly = true }

// start opens the dashboard at 100×30 on the sessions view and waits for
// its first data. Refresh is an hour: tests refresh by sending tickMsg, so
// the number of refreshes behind a frame is fixed.
func start(t *testing.T, opts ...harnessOpt) *harness {
	t.Helper()
	src, act := newFakes()
	clk := &clock{t: t0}
	o := Options{Source: src, Actions: act, Refresh: time.Hour, Now: clk.Now}
	for _, fn := range opts {
		fn(&o)
	}
	h := &harness{t: t, src: src, act: act, clk: clk}
	h.tm = teatest.NewTestModel(t, New(o), teatest.WithInitialTermSize(100, 30))
	t.Cleanup(func() { _ = h.tm.Quit() })
	h.waitFor("3f1c9a1e2b4d")
	return h
}

// waitFor waits until the screen shows every one of want.
func (h *harness) waitFor(want ...string) {
	h.t.Helper()
	teatest.WaitFor(h.t, h.tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func (h *harness) keys(keys ...string) {
	for _, k := range keys {
		h.tm.Send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// frame quits and returns the last screen, drawn from the final model so
// no partial repaint or timing ends up in a golden.
func (h *harness) frame() string {
	h.t.Helper()
	if err := h.tm.Quit(); err != nil {
		h.t.Fatal(err)
	}
	m := h.tm.FinalModel(h.t, teatest.WithFinalTimeout(20*time.Second)).(*Model)
	return m.View() + "\n"
}

// refresh sends one refresh tick and waits for the header to show it,
// with whatever else the same frame must show (the output is read once).
func (h *harness) refresh(step time.Duration, want ...string) {
	h.t.Helper()
	h.clk.Advance(step)
	h.tm.Send(tickMsg{})
	h.waitFor(append(want, "refreshed "+h.clk.Now().UTC().Format(time.TimeOnly))...)
}

// assertFrame compares a frame with testdata/<test name>.golden; teatest
// brings x/exp/golden and its -update flag, so internal/golden (which
// defines the same flag) cannot be linked into this package's tests.
func assertFrame(t *testing.T, frame string) {
	t.Helper()
	golden.RequireEqual(t, []byte(frame))
}

func TestGoldenSessions(t *testing.T) {
	h := start(t)
	assertFrame(t, h.frame())
}

func TestGoldenSessionDetail(t *testing.T) {
	h := start(t)
	h.keys("enter")
	h.waitFor("Checkpoint")
	// Three more refreshes, ten seconds apart, at 100, 200 and 50
	// events: the sparkline shows the rate rise and fall.
	for _, n := range []int64{1000, 2000, 500} {
		h.src.Progress(0, n)
		h.refresh(10 * time.Second)
	}
	assertFrame(t, h.frame())
}

func TestGoldenTopics(t *testing.T) {
	h := start(t)
	h.keys("2")
	h.waitFor("prod.payments")
	assertFrame(t, h.frame())
}

func TestGoldenErrors(t *testing.T) {
	h := start(t)
	h.keys("3")
	h.waitFor("schema validation")
	assertFrame(t, h.frame())
}

func TestGoldenErrorGroupMessages(t *testing.T) {
	h := start(t)
	h.keys("3")
	h.waitFor("schema validation")
	h.keys("enter")
	h.waitFor("Messages of error group", "ev-8a9b0c1d2")
	frame := h.frame()
	if strings.Contains(frame, "ev-1c2d3e4f5") {
		t.Errorf("a message of another group is listed:\n%s", frame)
	}
	assertFrame(t, frame)
}

func TestGoldenMessages(t *testing.T) {
	h := start(t)
	h.keys("4")
	h.waitFor("ev-1c2d3e4f5")
	h.keys("space", "down", "/", "o", "r", "d", "e", "r")
	h.waitFor("filter: order")
	assertFrame(t, h.frame())
}

func TestGoldenMessageDetail(t *testing.T) {
	h := start(t)
	h.keys("4")
	h.waitFor("ev-1c2d3e4f5")
	h.keys("enter")
	h.waitFor("Headers")
	assertFrame(t, h.frame())
}

func TestGoldenJobs(t *testing.T) {
	h := start(t)
	h.keys("5")
	h.waitFor("worker-b/77")
	assertFrame(t, h.frame())
}

func TestGoldenWorkers(t *testing.T) {
	h := start(t)
	h.keys("6")
	h.waitFor("j7a1b2c3d4e5")
	assertFrame(t, h.frame())
}

func TestGoldenHelp(t *testing.T) {
	h := start(t)
	h.keys("?")
	h.waitFor("Any key closes")
	assertFrame(t, h.frame())
}

func TestGoldenConfirmations(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
		want string
	}{
		{"modal_pause", []string{"p"}, "Pause session"},
		{"modal_resume", []string{"down", "r"}, "Resume session"},
		{"modal_cancel_session", []string{"c"}, "Cancel session"},
		{"modal_retry_group", []string{"3", "R"}, "Retry 7 messages"},
		{"modal_discard_reason", []string{"4", "D", "b", "a", "d", " ", "d", "a", "t", "a"}, "bad data"},
		{"modal_cancel_job", []string{"5", "c"}, "Cancel job"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t)
			h.keys(tc.keys[0])
			if tc.keys[0] == "3" || tc.keys[0] == "4" || tc.keys[0] == "5" {
				h.waitFor("(") // the view's title with its count
			}
			h.keys(tc.keys[1:]...)
			h.waitFor(tc.want)
			assertFrame(t, h.frame())
			if did := h.act.Did(); len(did) != 0 {
				t.Errorf("an action ran before its confirmation: %v", did)
			}
		})
	}
}

func TestGoldenReadOnly(t *testing.T) {
	h := start(t, readOnly)
	h.keys("p")
	h.waitFor("actions are disabled")
	assertFrame(t, h.frame())
	if did := h.act.Did(); len(did) != 0 {
		t.Errorf("read-only dashboard acted: %v", did)
	}
}

func TestGoldenUnreachableBanner(t *testing.T) {
	h := start(t)
	h.src.SetPingErr(errMongoDown)
	h.refresh(14*time.Second, "MongoDB unreachable")
	assertFrame(t, h.frame())
}

func TestGoldenResize80x24(t *testing.T) {
	h := start(t)
	h.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.keys("4")
	h.waitFor("ev-1c2d3e4f5")
	assertFrame(t, h.frame())
}
