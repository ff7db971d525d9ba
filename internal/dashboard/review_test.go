package dashboard

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// syncModel drives the model without a program: keys go to Update and
// the commands a test names are run on the test's goroutine, so the order
// in which answers arrive is the test's to choose.
type syncModel struct {
	t   *testing.T
	m   *Model
	src *fakeSource
	act *fakeActions
	clk *clock
}

func newSync(t *testing.T, opts ...harnessOpt) *syncModel {
	t.Helper()
	src, act := newFakes()
	clk := &clock{t: t0}
	o := Options{Source: src, Actions: act, Refresh: time.Hour, Now: clk.Now}
	for _, fn := range opts {
		fn(&o)
	}
	s := &syncModel{t: t, m: New(o), src: src, act: act, clk: clk}
	s.m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	s.refresh()
	return s
}

// key sends keys and returns the last one's command.
func (s *syncModel) key(keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = s.m.Update(keyMsg(k))
	}
	return cmd
}

// run runs cmd and hands its message to Update (nothing when cmd is nil).
func (s *syncModel) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	s.m.Update(cmd())
}

// refresh runs one refresh of the view on screen, to its end.
func (s *syncModel) refresh() {
	s.m.inFlight = true
	s.m.Update(s.m.refreshCmd()())
}

func (s *syncModel) want(frame string, wants ...string) {
	s.t.Helper()
	for _, w := range wants {
		if !strings.Contains(frame, w) {
			s.t.Fatalf("the frame does not show %q:\n%s", w, frame)
		}
	}
}

func TestCursorStaysOnItsSessionWhenANewOneAppearsOnTop(t *testing.T) {
	h := start(t)
	h.keys("down")
	h.waitFor("> 9b2d4f6a8c0e")
	fresh := h.src.Calls()
	h.src.Prepend(SessionRow{Session: contract.Session{SessionID: "0a0a0a0a0a0a0a0a0a0a0a0a", Status: contract.StatusRunning, TotalEvents: 10}})
	h.refresh(time.Second, "0a0a0a0a0a0a")
	if h.src.Calls()["Sessions"] <= fresh["Sessions"] {
		t.Fatal("no refresh")
	}
	h.keys("c")
	h.waitFor("Cancel session 9b2d4f6a8c0e")
	h.keys("y")
	h.waitFor("Done: cancel")
	if did := h.act.Did(); !slices.Equal(did, []string{"cancel 9b2d4f6a8c0e1f2a3b4c5d6e"}) {
		t.Errorf("after a new session appeared on top, c y did %q, want the paused session cancelled", did)
	}
}

func TestCursorStaysOnItsRowWhenTheFilterChanges(t *testing.T) {
	s := newSync(t)
	s.run(s.key("4"))
	s.key("down") // ev-8a9b0c1d2e3f4a5b
	s.key("/", "t", "i", "m", "e")
	if msg, _ := s.m.currentMessage(); msg.EventID() != "ev-8a9b0c1d2e3f4a5b" {
		t.Errorf("after typing a filter that keeps it, the cursor is on %s", msg.EventID())
	}
}

func TestMarksOfAnotherListDoNotBecomeTheSelection(t *testing.T) {
	h := start(t)
	h.keys("4")
	h.waitFor("ev-1c2d3e4f5")
	h.keys("down", "down", "space") // marks the schema validation message
	h.waitFor("1 marked")
	h.keys("3")
	h.waitFor("schema validation")
	h.keys("enter")
	h.waitFor("Messages of error group", "ev-8a9b0c1d2")
	h.keys("R")
	h.waitFor("Retry message ev-7d1e2f3a4?")
	h.keys("y")
	h.waitFor("Done: retry")
	if did := h.act.Did(); !slices.Equal(did, []string{`retry [ev-7d1e2f3a4b5c6d7e] ""`}) {
		t.Errorf("R on a group's message with a mark left on another list did %q", did)
	}
}

func TestAMarkHiddenByTheFilterIsLeftAlone(t *testing.T) {
	s := newSync(t)
	s.run(s.key("4"))
	s.key("space") // marks ev-7d1e2f3a4b5c6d7e
	s.key("/", "s", "c", "h", "e", "m", "a", "enter")
	s.run(s.key("R"))
	if s.m.modal == nil {
		t.Fatal("R opened no confirmation")
	}
	s.want(s.m.View(), "Retry message ev-1c2d3e4f5?", "Left alone: 1 marked message hidden by the filter.")
	s.run(s.key("y"))
	if did := s.act.Did(); !slices.Equal(did, []string{`retry [ev-1c2d3e4f5a6b7c8d] ""`}) {
		t.Errorf("with the only mark hidden by the filter, R y did %q, want the visible row", did)
	}
}

func TestUClearsTheMarks(t *testing.T) {
	s := newSync(t)
	s.run(s.key("4"))
	s.key("space", "space")
	s.want(s.m.View(), "2 marked")
	s.key("u")
	if f := s.m.View(); strings.Contains(f, "marked") || strings.Contains(f, " * ") {
		t.Errorf("u left marks:\n%s", f)
	}
	if !strings.Contains(strings.Join(s.m.helpLines(), "\n"), "clear marks") {
		t.Error("the help does not list the key that clears marks")
	}
}

func TestMarksSurviveASessionActionNotAMessageAction(t *testing.T) {
	s := newSync(t)
	s.run(s.key("4"))
	s.key("space")
	s.m.Update(actionDoneMsg{text: "Done: pause"})
	s.want(s.m.View(), "1 marked")
	s.m.Update(actionDoneMsg{text: "Done: retry", unmark: true})
	if strings.Contains(s.m.View(), "marked") {
		t.Error("a done retry of the marks left them marked")
	}
}

func TestQuitWhileAnActionRunsAsksAgain(t *testing.T) {
	for _, quit := range []string{"q", "ctrl+c"} {
		t.Run(quit, func(t *testing.T) {
			h := start(t)
			release := h.act.Hold()
			defer release()
			h.keys("p")
			h.waitFor("Pause session")
			h.keys("y", quit)
			h.waitFor("press q again to abandon it")
			h.keys(quit)
			h.tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
		})
	}
}

func TestALateCountDoesNotReplaceTheModalOnScreen(t *testing.T) {
	s := newSync(t)
	s.run(s.key("3"))
	retryCount := s.key("R")
	discardCount := s.key("D")
	s.run(discardCount)
	s.want(s.m.View(), "Discard 37 messages")
	s.run(retryCount)
	if f := s.m.View(); strings.Contains(f, "Retry") || s.m.modal == nil || s.m.modal.reason == nil {
		t.Fatalf("the late count of R replaced the discard modal:\n%s", f)
	}
}

func TestACountAnsweredAfterEscOpensNothing(t *testing.T) {
	s := newSync(t)
	s.run(s.key("3"))
	count := s.key("R")
	s.key("esc")
	s.run(s.key("1"))
	s.run(count)
	if s.m.modal != nil {
		t.Errorf("a count answered after esc and a view change opened %q", s.m.modal.title)
	}
}

func TestAnotherGroupShowsLoadingNotTheFirstGroupsEmptyList(t *testing.T) {
	s := newSync(t)
	s.run(s.key("3"))
	s.run(s.key("enter"))
	s.want(s.m.View(), "ev-8a9b0c1d2")
	s.key("esc")
	s.key("down")
	s.key("enter") // its query not answered yet
	f := s.m.View()
	s.want(f, "loading…")
	if strings.Contains(f, "no DLQ messages") {
		t.Errorf("the second group's messages say empty before its query answered:\n%s", f)
	}
}

func TestAGroupPagesPastOtherGroupsAndSaysHowManyItShows(t *testing.T) {
	s := newSync(t, func(o *Options) { o.Limit = 2 })
	// Newer messages of another group hold the group's word ("timeout")
	// and fill the first page of the substring query.
	var others []contract.DLQMessage
	for i, id := range []string{"ev-0000000000000001", "ev-0000000000000002", "ev-0000000000000003"} {
		others = append(others, contract.DLQMessage{Event: event(id, "order.created"), OriginalTopic: "prod.orders",
			Error: "timeout while connecting to the database", Status: contract.DLQPending, FailedAt: t0.Add(-time.Duration(i) * time.Second)})
	}
	s.src.messages = append(others, s.src.messages...)
	s.run(s.key("3"))
	s.run(s.key("enter"))
	f := s.m.View()
	s.want(f, "ev-7d1e2f3a4", "ev-8a9b0c1d2", "2 of the group's 37 shown")
}

func TestAQueryIgnoringItsDeadlineDoesNotStopTheRefreshes(t *testing.T) {
	h := start(t, func(o *Options) { o.Refresh = time.Second })
	h.src.Hang(t)
	hung := h.src.Calls()["Sessions"]
	h.waitFor("query failed")
	h.waitUntil("two more refreshes", func() bool { return h.src.Calls()["Sessions"] >= hung+2 })
}

func TestProducerControlCharactersAreShownEscaped(t *testing.T) {
	s := newSync(t)
	m := &s.src.messages[0]
	m.Error = "boom\x1b]0;owned\x07 \x1b[2J\u009b31m"
	m.Headers["trace_id"] = "t\x1b[31mred\r"
	m.OriginalTopic = "prod.\x1borders"
	s.run(s.key("4"))
	list := s.m.View()
	s.run(s.key("enter"))
	detail := s.m.View()
	for name, f := range map[string]string{"messages": list, "detail": detail} {
		if strings.ContainsAny(f, "\x1b\x07\r\u009b") {
			t.Errorf("the %s frame holds a raw control character from the data: %q", name, f)
		}
		if !strings.Contains(f, `\x1b`) {
			t.Errorf("the %s frame does not show the ESC as \\x1b:\n%s", name, f)
		}
	}
}

func TestMessageDetailWrapsLongValues(t *testing.T) {
	s := newSync(t)
	s.m.Update(tea.WindowSizeMsg{Width: 80, Height: 40})
	s.src.messages[0].Error = strings.Repeat("connection reset by peer ", 6) + "END-OF-ERROR"
	s.src.messages[0].Headers["x-long"] = strings.Repeat("h", 90) + "END-OF-HEADER"
	s.run(s.key("4"))
	s.run(s.key("enter"))
	s.want(s.m.View(), "END-OF-ERROR", "END-OF-HEADER")
}

func TestRefreshedStaysAtTheLastGoodData(t *testing.T) {
	s := newSync(t)
	s.src.SetPingErr(errMongoDown)
	s.clk.Advance(10 * time.Second)
	s.refresh()
	s.want(s.m.View(), "refreshed 12:00:00 UTC", "data from 10s ago")
}

func TestASmallTerminalGetsOneLine(t *testing.T) {
	s := newSync(t)
	for _, size := range []tea.WindowSizeMsg{{Width: 80, Height: 6}, {Width: 39, Height: 24}, {Width: 80, Height: 1}} {
		s.m.Update(size)
		f := s.m.View()
		if n := strings.Count(f, "\n") + 1; n > size.Height || !strings.Contains(f, "too small") {
			t.Errorf("at %dx%d the frame has %d lines:\n%s", size.Width, size.Height, n, f)
		}
	}
}

func TestTheSelectedRowStaysReversedPastItsStatus(t *testing.T) {
	s := newSync(t, func(o *Options) { o.Color = true })
	for _, l := range strings.Split(s.m.View(), "\n") {
		if strings.Contains(l, "3f1c9a1e2b4d") {
			if n := strings.Count(l, "\x1b["); n != 2 {
				t.Errorf("the selected row has %d escape sequences, want the reverse and its reset: %q", n, l)
			}
		}
	}
}

func TestEveryPromisedColumnShowsAt80Columns(t *testing.T) {
	s := newSync(t)
	s.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for v, titles := range map[view][]string{
		viewSessions: {"ID", "STATUS", "TYPE", "TARGET", "PROGRESS", "RATE", "ETA", "HOLDER"},
		viewTopics:   {"TOPIC", "TOTAL", "PEND", "SCHED", "OLDEST", "NEWEST", "BACKLOG"},
		viewJobs:     {"ID", "PROGRESS", "RATE", "ETA"},
		viewWorkers:  {"KIND", "ID", "OWNER", "SINCE", "RENEWED"},
	} {
		l := s.m.list(v)
		keep, _ := fitColumnsGap(l.cols, 80, l.spacing())
		var shown []string
		for _, i := range keep {
			shown = append(shown, l.cols[i].Title)
		}
		for _, want := range titles {
			if !slices.Contains(shown, want) {
				t.Errorf("%s at 80 columns shows %v, not %s", viewNames[v], shown, want)
			}
		}
	}
}

func TestGolden80x24(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
		wait []string
	}{
		{"sessions", nil, []string{"3f1c9a1e2b4d"}},
		{"session_detail", []string{"enter"}, []string{"Checkpoint"}},
		{"topics", []string{"2"}, []string{"prod.payments"}},
		{"errors", []string{"3"}, []string{"schema validation"}},
		{"messages", []string{"4"}, []string{"ev-1c2d3e4f5"}},
		{"message_detail", []string{"4", "enter"}, []string{"Headers"}},
		{"jobs", []string{"5"}, []string{"j7a1b2c3d4e5"}},
		{"workers", []string{"6"}, []string{"j7a1b2c3d4e5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t)
			h.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
			for i, k := range tc.keys {
				h.keys(k)
				if i == 0 && len(tc.keys) > 1 {
					h.waitFor("ev-1c2d3e4f5")
				}
			}
			h.waitFor(tc.wait...)
			assertFrame(t, h.frame())
		})
	}
}

func TestLongEventLinesScrollSideways(t *testing.T) {
	s := newSync(t)
	s.m.Update(tea.WindowSizeMsg{Width: 80, Height: 40})
	raw, err := bson.Marshal(bson.D{{Key: "event_id", Value: "ev-7d1e2f3a4b5c6d7e"}, {Key: "note", Value: strings.Repeat("n", 90) + "TAIL"}})
	if err != nil {
		t.Fatal(err)
	}
	s.src.messages[0].Event = raw
	s.run(s.key("4"))
	s.run(s.key("enter"))
	if strings.Contains(s.m.View(), "TAIL") {
		t.Fatal("the long JSON line fits without scrolling: the test shows nothing")
	}
	for range 4 {
		s.key("right")
	}
	s.want(s.m.View(), "TAIL")
}

func TestAFailedQueryOfAViewLeftBehindRaisesNoBanner(t *testing.T) {
	s := newSync(t)
	s.run(s.key("3"))
	groupQuery := s.key("enter")
	s.key("esc") // back on the errors before the group's query answers
	s.src.msgErr = errors.New("the group's query failed")
	s.run(groupQuery)
	if f := s.m.View(); strings.Contains(f, "query failed") {
		t.Errorf("the failure of a query for a view no longer on screen shows:\n%s", f)
	}
}
