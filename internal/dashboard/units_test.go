package dashboard

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

func TestSparkline(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		width  int
		want   string
	}{
		{nil, 4, "    "},
		{[]float64{0, 0, 0}, 3, "▁▁▁"},
		{[]float64{1, 2, 4, 8}, 4, "▁▂▄█"},
		{[]float64{5}, 3, "  █"},
		{[]float64{8, 1, 2, 4, 8}, 4, "▁▂▄█"}, // only the last width values count
		{[]float64{-3, 7}, 2, "▁█"},
		{[]float64{1, 2}, 0, ""},
	} {
		if got := sparkline(tc.values, tc.width); got != tc.want {
			t.Errorf("sparkline(%v, %d) = %q, want %q", tc.values, tc.width, got, tc.want)
		}
	}
}

func TestHistoryKeepsTheLastN(t *testing.T) {
	h := newHistory(3)
	for i := range 5 {
		h.add("a", float64(i))
	}
	h.add("b", 9)
	if got := h.get("a"); !slices.Equal(got, []float64{2, 3, 4}) {
		t.Errorf("a = %v, want [2 3 4]", got)
	}
	if got := h.get("b"); !slices.Equal(got, []float64{9}) {
		t.Errorf("b = %v, want [9]", got)
	}
}

func TestProgressBar(t *testing.T) {
	for _, tc := range []struct {
		done, total int64
		want        string
	}{
		{0, 100, "░░░░░░░░ 0/100"},
		{50, 100, "████░░░░ 50/100"},
		{100, 100, "████████ 100/100"},
		{150, 100, "████████ 150/100"},
		{6000, 20000, "██░░░░░░ 6.0k/20k"},
		{7, 0, "░░░░░░░░ 7/?"},
	} {
		if got := progressBar(tc.done, tc.total, 8); got != tc.want {
			t.Errorf("progressBar(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}

func TestCountRateAndETAFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1.0k", 9999: "10.0k", 34000: "34k", 1_500_000: "1.5M", 25_000_000: "25M", -1200: "-1.2k"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
	for r, want := range map[float64]string{0: "-", -1: "-", 0.25: "0.2/s", 9.95: "9.9/s", 12.4: "12/s", 1234: "1.2k/s"} {
		if got := rateText(r); got != want {
			t.Errorf("rateText(%g) = %q, want %q", r, got, want)
		}
	}
	for _, tc := range []struct {
		remaining int64
		rate      float64
		want      string
	}{
		{0, 10, "done"},
		{100, 0, "-"},
		{100, 10, "10s"},
		{14000, 10, "23m20s"},
		{1_000_000, 50, "5h33m"},
	} {
		if got := eta(tc.remaining, tc.rate); got != tc.want {
			t.Errorf("eta(%d, %g) = %q, want %q", tc.remaining, tc.rate, got, tc.want)
		}
	}
}

func TestMatchesFilter(t *testing.T) {
	cells := []string{"3f1c9a1e2b4d", "running", "event_type", "worker-a/4121"}
	for q, want := range map[string]bool{
		"":             true,
		"RUN":          true,
		"run worker-a": true,
		"run worker-b": false,
		"  3f1c  ":     true,
		"paused":       false,
		"type worker":  true,
		"ningevent":    false, // cells do not run into each other
	} {
		if got := matchesFilter(cells, q); got != want {
			t.Errorf("matchesFilter(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestFitColumnsDropsByPriorityAndFillsTheFlexColumn(t *testing.T) {
	cols := []column{
		{Title: "ID", Width: 12},
		{Title: "TYPE", Width: 10, Drop: 2},
		{Title: "ERROR", Flex: true, Min: 20},
		{Title: "WHEN", Width: 8, Drop: 1},
	}
	for _, tc := range []struct {
		width  int
		titles []string
		widths []int
	}{
		// 2 gutter + 14 + 12 + 10 = 38 for the fixed columns.
		{100, []string{"ID", "TYPE", "ERROR", "WHEN"}, []int{12, 10, 60, 8}},
		{60, []string{"ID", "TYPE", "ERROR", "WHEN"}, []int{12, 10, 20, 8}},
		// TYPE (Drop 2) goes before WHEN (Drop 1).
		{55, []string{"ID", "ERROR", "WHEN"}, []int{12, 27, 8}},
		{40, []string{"ID", "ERROR"}, []int{12, 24}},
		{10, []string{"ID", "ERROR"}, []int{12, 20}},
	} {
		keep, widths := fitColumns(cols, tc.width)
		var titles []string
		for _, i := range keep {
			titles = append(titles, cols[i].Title)
		}
		if !slices.Equal(titles, tc.titles) || !slices.Equal(widths, tc.widths) {
			t.Errorf("width %d: columns %v widths %v, want %v %v", tc.width, titles, widths, tc.titles, tc.widths)
		}
	}
}

func TestRenderRowFitsTheWidth(t *testing.T) {
	cols := []column{{Title: "ID", Width: 4}, {Title: "ERROR", Flex: true}}
	keep, widths := fitColumns(cols, 30)
	row := renderRow("> ", []string{"abcdefgh", strings.Repeat("x", 40)}, keep, widths, nil)
	if w := output.Width(row); w != 30 {
		t.Errorf("row %q is %d columns wide, want 30", row, w)
	}
	if !strings.HasPrefix(row, "> abc…  ") {
		t.Errorf("row %q does not start with the truncated id", row)
	}
}

func TestListWindowKeepsTheCursorVisible(t *testing.T) {
	for _, tc := range []struct{ offset, cursor, height, n, want int }{
		{0, 0, 5, 3, 0},
		{0, 4, 5, 10, 0},
		{0, 5, 5, 10, 1},
		{4, 2, 5, 10, 2},
		{8, 9, 5, 10, 5},
	} {
		if got := listWindow(tc.offset, tc.cursor, tc.height, tc.n); got != tc.want {
			t.Errorf("listWindow(%+v) = %d, want %d", tc, got, tc.want)
		}
	}
}

func TestGroupFilterFindsExactlyTheGroupsMessages(t *testing.T) {
	errs := []string{
		"timeout after 30s calling 'inventory'",
		"timeout after 45s   calling 'pricing'",
		"timeout after 30s calling inventory",
		"connection refused to 10.0.0.7:9092",
		"connection refused to 10.0.0.8:9092",
	}
	var msgs []contract.DLQMessage
	for _, e := range errs {
		msgs = append(msgs, contract.DLQMessage{Error: e})
	}
	for _, tc := range []struct {
		pattern  string
		contains string
		want     []int
	}{
		{dlq.NormalizeError(errs[0]), "timeout", []int{0, 1}},
		{dlq.NormalizeError(errs[2]), "inventory", []int{2}},
		{dlq.NormalizeError(errs[3]), "connection", []int{3, 4}},
		{"", "", []int{0, 1, 2, 3, 4}},
	} {
		f := groupFilter(tc.pattern, 50)
		if f.ErrorContains != tc.contains || f.Limit != 50 {
			t.Errorf("groupFilter(%q) = %+v, want ErrorContains %q and Limit 50", tc.pattern, f, tc.contains)
		}
		var got []int
		for _, m := range inGroup(msgs, tc.pattern) {
			got = append(got, slices.Index(errs, m.Error))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("inGroup(%q) = %v, want %v", tc.pattern, got, tc.want)
		}
		for _, i := range tc.want {
			if !strings.Contains(strings.ToLower(errs[i]), strings.ToLower(f.ErrorContains)) {
				t.Errorf("the query for %q (%q) would not find %q", tc.pattern, f.ErrorContains, errs[i])
			}
		}
	}
}

func TestShortErrPrefersTheCauseWhenTooLong(t *testing.T) {
	cause := errors.New("connection refused")
	long := fmt.Errorf("list sessions in database integr8scode_db on mongodb://very-long-host.example.com:27017: %w", cause)
	if got := shortErr(long, 40); got != "connection refused" {
		t.Errorf("shortErr(long) = %q, want the cause", got)
	}
	if got := shortErr(errors.New("a\n  b"), 40); got != "a b" {
		t.Errorf("shortErr = %q, want one line", got)
	}
	if got := shortErr(errors.New(strings.Repeat("y", 50)), 10); output.Width(got) != 10 {
		t.Errorf("shortErr = %q, want 10 columns", got)
	}
}

func TestSessionRateFromRefreshesThenAverage(t *testing.T) {
	clk := &clock{t: t0}
	m := New(Options{Now: clk.Now})
	started := t0.Add(-100 * time.Second)
	s := contract.Session{SessionID: "s1", Status: contract.StatusRunning, StartedAt: &started, TotalEvents: 3000, ReplayedEvents: 1000}
	if got := m.sessionRate(s); got != 10 {
		t.Errorf("before any refresh the rate is %g, want the average 10", got)
	}
	m.sampleRate(s, clk.Now())
	clk.Advance(10 * time.Second)
	s.ReplayedEvents += 500
	m.sampleRate(s, clk.Now())
	if got := m.sessionRate(s); got != 50 {
		t.Errorf("after two refreshes the rate is %g, want 50", got)
	}
	if got := m.sessionETA(s, 50); got != "30s" {
		t.Errorf("ETA = %q, want 30s", got)
	}
	s.Status = contract.StatusPaused
	if got := m.sessionRate(s); got != 0 {
		t.Errorf("a paused session's rate is %g, want 0", got)
	}
}

func TestGroupModalTitleKeepsAPercentInThePattern(t *testing.T) {
	src, act := newFakes()
	src.groups = []dlq.ErrorGroup{{Pattern: "disk <n>% full: %s %d", Count: 3}}
	m := New(Options{Source: src, Actions: act, Now: (&clock{t: t0}).Now})
	m.switchTo(viewErrors)
	m.Update(m.refreshCmd()())
	cmd := m.handleKey(keyMsg("R"))
	if cmd == nil {
		t.Fatal("R on a group asked for no count")
	}
	m.Update(cmd())
	if m.modal == nil {
		t.Fatal("no confirmation after the count")
	}
	want := `Retry 7 messages of error group "disk <n>% full: %s %d"?`
	if m.modal.title != want {
		t.Errorf("title %q, want %q", m.modal.title, want)
	}
}

func TestSessionDetailScrollsToItsLastErrorsOnASmallTerminal(t *testing.T) {
	src, act := newFakes()
	s := &src.sessions[0].Session
	for i := range 5 {
		s.Errors = append(s.Errors, contract.SessionError{Timestamp: t0.Add(time.Duration(i) * time.Second), Error: fmt.Sprintf("send failed #%d", i)})
	}
	m := New(Options{Source: src, Actions: act, Now: (&clock{t: t0}).Now})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 18})
	m.Update(m.refreshCmd()())
	m.open()
	m.Update(m.refreshCmd()())
	oldest := "send failed #0" // the oldest shown, listed last
	if strings.Contains(m.View(), oldest) {
		t.Fatalf("the whole detail fits at 80x18; the test needs a longer one:\n%s", m.View())
	}
	for range 30 {
		m.handleKey(keyMsg("down"))
	}
	v := m.View()
	if !strings.Contains(v, oldest) || !strings.Contains(v, "Session 3f1c9a1e2b4d") {
		t.Errorf("scrolled down, the last error or the title is missing:\n%s", v)
	}
	if got := len(strings.Split(v, "\n")); got != 18 {
		t.Errorf("%d lines, want 18", got)
	}
	m.handleKey(keyMsg("pgup"))
	m.handleKey(keyMsg("pgup"))
	if !strings.Contains(m.View(), "Type        event_type") {
		t.Errorf("page up twice did not return to the top:\n%s", m.View())
	}
}
