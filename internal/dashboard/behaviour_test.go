package dashboard

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// changed are the call counts that differ between two snapshots.
func changed(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if d := after[k] - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func TestRefreshQueriesOnlyTheViewOnScreenAndPing(t *testing.T) {
	h := start(t)
	for _, tc := range []struct {
		key, wait, query string
	}{
		{"2", "prod.payments", "DLQTopics"},
		{"3", "schema validation", "ErrorGroups"},
		{"4", "ev-1c2d3e4f5", "Messages"},
		{"5", "worker-b/77", "Jobs"},
		{"6", "j7a1b2c3d4e5", "Workers"},
		{"1", "3f1c9a1e2b4d", "Sessions"},
	} {
		// The switch queries its view once; the tick's own query is
		// counted only after that one is.
		switched := h.src.Calls()
		h.keys(tc.key)
		h.waitUntil("the switch's query", func() bool { return h.src.Calls()[tc.query] > switched[tc.query] })
		h.waitFor(tc.wait)
		before := h.src.Calls()
		h.refresh(time.Second)
		got := changed(before, h.src.Calls())
		want := map[string]int{"Ping": 1, tc.query: 1}
		if !maps.Equal(got, want) {
			t.Errorf("view %s: one refresh made %v, want %v", tc.key, got, want)
		}
	}
}

func TestTicksWhileARefreshRunsAreDropped(t *testing.T) {
	h := start(t)
	release := h.src.Block()
	before := h.src.Calls()
	for range 4 {
		h.tm.Send(tickMsg{})
	}
	// Keys are handled in order after the ticks: once the help shows,
	// every tick has been handled.
	h.keys("?")
	h.waitFor("Any key closes")
	// The refresh's query runs in its command's goroutine, which may not
	// have reached the source yet; dropped ticks start no command at all.
	h.waitUntil("the refresh's query", func() bool { return changed(before, h.src.Calls())["Sessions"] >= 1 })
	if got := changed(before, h.src.Calls())["Sessions"]; got != 1 {
		t.Errorf("4 ticks during a blocked refresh started %d queries, want 1", got)
	}
	h.clk.Advance(time.Second)
	release()
	h.waitFor("refreshed 12:00:01")
	h.refresh(time.Second)
	if got := changed(before, h.src.Calls())["Sessions"]; got != 2 {
		t.Errorf("after the blocked refresh returned, a tick started %d queries in all, want 2", got)
	}
}

func TestBannerNamesMongoKeepsDataAndRecovers(t *testing.T) {
	h := start(t)
	h.src.SetPingErr(errMongoDown)
	h.failedRefresh(5*time.Second, "MongoDB unreachable", "data from 5s ago")
	h.failedRefresh(9*time.Second, "data from 14s ago", "worker-a/4121")
	h.src.SetPingErr(nil)
	h.refresh(time.Second, "MongoDB up")
	if f := h.frame(); containsAny(f, "unreachable", "data from") {
		t.Errorf("the banner stayed after MongoDB answered again:\n%s", f)
	}
}

// An edit that is ready only after the operator moved on is not opened,
// and its draft is given up (the file the real actions wrote is removed).
func TestAnEditReadyTooLateIsDiscarded(t *testing.T) {
	h := start(t)
	release := h.act.HoldEdit()
	h.keys("4")
	h.waitFor("ev-1c2d3e4f5")
	h.keys("e")
	h.waitFor("Opening the editor")
	h.keys("1") // back to the sessions: the edit is no longer wanted
	h.waitFor("3f1c9a1e2b4d")
	release()
	h.waitUntil("the draft discarded", func() bool {
		return slices.Equal(h.act.Did(), []string{"discard edit ev-7d1e2f3a4b5c6d7e"})
	})
}

// A running job whose cancel request waits for its holder shows as
// cancelling (`dlq jobs list` marks it *): it still runs, and cancelling
// it again would do nothing.
func TestJobsViewShowsAJobWithACancelRequestAsCancelling(t *testing.T) {
	h := start(t)
	h.src.RequestCancel(0)
	h.keys("5")
	h.waitFor("worker-b/77")
	frame := h.frame()
	if !strings.Contains(frame, "cancelling") || strings.Contains(frame, "running") {
		t.Fatalf("the running job with a cancel request is not shown as cancelling:\n%s", frame)
	}
}

func TestConfirmedActionsRunOnceAndRefresh(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
		want string
	}{
		{"pause", []string{"p|", "y"}, "pause 3f1c9a1e2b4d5e6f7a8b9c0d"},
		{"resume", []string{"down", "r|", "y"}, "resume 9b2d4f6a8c0e1f2a3b4c5d6e"},
		{"cancel session", []string{"c|", "y"}, "cancel 3f1c9a1e2b4d5e6f7a8b9c0d"},
		{"pause from detail", []string{"enter|Checkpoint", "p|", "y"}, "pause 3f1c9a1e2b4d5e6f7a8b9c0d"},
		{"cancel job", []string{"5|worker-b/77", "c|", "y"}, "cancel job j7a1b2c3d4e5f6a7b8c9d0e1"},
		{"retry message", []string{"4|ev-1c2d3e4f5", "R|", "y"}, `retry [ev-7d1e2f3a4b5c6d7e] ""`},
		{"retry marked", []string{"4|ev-1c2d3e4f5", "space", "space", "R|Retry 2 messages (the marked ones)", "y"}, `retry [ev-7d1e2f3a4b5c6d7e ev-8a9b0c1d2e3f4a5b] ""`},
		{"retry group", []string{"3|schema validation", "R|Retry 37 messages", "y"}, `retry [] "timeout after <d> calling '<v>'"`},
		{"discard with reason", []string{"4|ev-1c2d3e4f5", "D|", "o", "k", "enter"}, `discard [ev-7d1e2f3a4b5c6d7e] "" reason="ok"`},
		{"edit", []string{"4|ev-1c2d3e4f5", "e"}, "edit ev-7d1e2f3a4b5c6d7e"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t)
			// "key|text" waits for text (a confirmation when empty) before
			// the next key: a view's data or a modal must be on screen.
			var before map[string]int
			for i, k := range tc.keys {
				if i == len(tc.keys)-1 {
					before = h.src.Calls()
				}
				k, wait, ok := strings.Cut(k, "|")
				h.keys(k)
				if wait == "" {
					wait = "confirm"
				}
				if ok {
					h.waitFor(wait)
				}
			}
			h.waitFor("Done: " + tc.want)
			if did := h.act.Did(); !slices.Equal(did, []string{tc.want}) {
				t.Errorf("actions = %q, want exactly %q", did, tc.want)
			}
			h.waitUntil("a refresh after the action", func() bool {
				after := h.src.Calls()
				return after["Ping"] > before["Ping"]
			})
		})
	}
}

func TestDeniedConfirmationsDoNothing(t *testing.T) {
	for _, deny := range []string{"n", "esc"} {
		t.Run(deny, func(t *testing.T) {
			h := start(t)
			h.keys("p")
			h.waitFor("Pause session")
			h.keys(deny)
			h.waitFor("Cancelled.")
			h.keys("3")
			h.waitFor("schema validation")
			h.keys("D")
			h.waitFor("reason:")
			h.keys("esc")
			h.waitFor("Cancelled.")
			if did := h.act.Did(); len(did) != 0 {
				t.Errorf("a denied confirmation acted: %v", did)
			}
		})
	}
}

func TestDiscardNeedsAReason(t *testing.T) {
	h := start(t)
	h.keys("4")
	h.waitFor("ev-1c2d3e4f5")
	h.keys("D", "enter")
	h.waitFor("A discard needs a reason.")
	if did := h.act.Did(); len(did) != 0 {
		t.Errorf("discarded without a reason: %v", did)
	}
}

func TestActionErrorShowsInStatusLine(t *testing.T) {
	h := start(t)
	h.act.Fail(errors.New("session 3f1c9a1e2b4d is completed: nothing to pause"))
	h.keys("p")
	h.waitFor("Pause session")
	h.keys("y")
	h.waitFor("Error: session 3f1c9a1e2b4d is completed")
}

func TestFilterNarrowsAndEscClears(t *testing.T) {
	h := start(t)
	h.keys("/", "p", "a", "u", "s")
	h.waitFor("(1 of 3)", "9b2d4f6a8c0e")
	// Enter keeps the filter and leaves the input: j then moves nothing
	// in a list of one instead of being typed into the filter.
	h.keys("enter", "j", "esc")
	h.waitFor("(3)")
	if f := h.frame(); strings.Contains(f, "pausj") {
		t.Errorf("j was typed into the filter after enter:\n%s", f)
	}
}

func TestEscReturnsFromAGroupsMessagesToTheErrors(t *testing.T) {
	h := start(t)
	h.keys("3")
	h.waitFor("schema validation")
	h.keys("enter")
	h.waitFor("Messages of error group")
	h.keys("esc")
	h.waitFor("[3 Errors]")
}

func TestTabCyclesThroughTheViews(t *testing.T) {
	h := start(t)
	for _, want := range []string{"2 DLQ topics", "3 Errors", "4 Messages", "5 Jobs", "6 Workers", "1 Sessions"} {
		h.keys("tab")
		h.waitFor("[" + want + "]")
	}
	h.keys("shift+tab")
	h.waitFor("[6 Workers]")
}

// waitUntil polls cond, for state the screen does not show.
func (h *harness) waitUntil(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestReadOnlyHelpSaysEachActionIsDisabled(t *testing.T) {
	h := start(t, readOnly)
	h.keys("?")
	h.waitFor("Any key closes")
	f := h.frame()
	for _, want := range []string{"pause (read-only)", "retry (read-only)", "discard (read-only)", "edit (read-only)", "every action is disabled"} {
		if !strings.Contains(f, want) {
			t.Errorf("the read-only help does not say %q:\n%s", want, f)
		}
	}
}
