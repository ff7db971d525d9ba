package replaycmd

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

func ptr[T any](v T) *T { return &v }

func at(d time.Duration) *time.Time { return ptr(fixedNow.Add(d)) }

// fixtureSessions covers every column: statuses, targets, dry run,
// unknown totals and failures.
func fixtureSessions() []contract.Session {
	mk := func(id string, st contract.SessionStatus, age time.Duration) contract.Session {
		s := contract.Session{SessionID: id, ReplayID: "r-" + id, Status: st, CreatedAt: fixedNow.Add(-age),
			Config: contract.DefaultSessionConfig()}
		return s
	}
	a := mk("0b9c1f6e-2d3a-4c4f-9e1a-7b2c3d4e5f60", contract.StatusRunning, 3*time.Minute)
	a.Config.ReplayType, a.TotalEvents, a.ReplayedEvents, a.FailedEvents = contract.ReplayTypeExecution, 5000, 1234, 2
	b := mk("7f3e2d1c-0b9a-4876-a543-210fedcba987", contract.StatusCompleted, 5*time.Hour)
	b.Config.ReplayType, b.Config.Target = contract.ReplayTypeEventType, contract.TargetFile
	b.Config.TargetFilePath, b.TotalEvents, b.ReplayedEvents = ptr("/var/tmp/pods.jsonl"), 200, 200
	c := mk("c4d5e6f7-8091-4a2b-bc3d-4e5f60718293", contract.StatusCreated, 50*time.Hour)
	c.DryRun = true
	return []contract.Session{a, b, c}
}

func render(t *testing.T, tty bool, format output.Format, v any) string {
	t.Helper()
	ios, _, out, _ := output.Test()
	ios.SetStdoutTTY(tty)
	ios.SetTerminalWidth(120)
	if err := output.NewPrinter(ios, format).Print(v); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestListTableGolden(t *testing.T) {
	got := render(t, true, output.FormatTable, sessionList{Sessions: fixtureSessions(), now: fixedNow, shortIDs: true})
	clitest.AssertGolden(t, "list_tty", got)
}

func TestListPipedKeepsFullIDs(t *testing.T) {
	got := render(t, false, output.FormatTable, sessionList{Sessions: fixtureSessions(), now: fixedNow})
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if lines[0] != "ID\tSTATUS\tTYPE\tTARGET\tPROGRESS\tFAILED\tCREATED" {
		t.Errorf("header = %q", lines[0])
	}
	want := "0b9c1f6e-2d3a-4c4f-9e1a-7b2c3d4e5f60\trunning\texecution\tkafka\t1234/5000 24%\t2\t3m ago"
	if lines[1] != want {
		t.Errorf("row = %q\nwant  %q", lines[1], want)
	}
	if !strings.Contains(lines[3], "kafka (dry run)\t0\t") {
		t.Errorf("dry run row = %q", lines[3])
	}
}

func TestListJSONIsSessionDocuments(t *testing.T) {
	var got []map[string]any
	if err := json.Unmarshal([]byte(render(t, false, output.FormatJSON, sessionList{Sessions: fixtureSessions()})), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1]["session_id"] != "7f3e2d1c-0b9a-4876-a543-210fedcba987" || got[1]["config"].(map[string]any)["target"] != "file" {
		t.Errorf("json = %v", got)
	}
	if s := render(t, false, output.FormatJSON, sessionList{}); strings.TrimSpace(s) != "[]" {
		t.Errorf("empty list = %q", s)
	}
}

func fixtureInfo() *replay.Info {
	s := fixtureSessions()[0]
	s.Config.Filter = contract.Filter{
		ExecutionID: ptr("3f1c9a1e-4b7d-4c55-9f0e-1d2a3b4c5d6e"),
		EventTypes:  []string{"pod_created", "pod_failed"},
		StartTime:   at(-2 * time.Hour),
	}
	s.Config.SpeedMultiplier, s.Config.SkipErrors, s.Config.MaxEvents = 2, false, ptr(int64(10000))
	s.Config.TargetTopics = map[string]string{"pod_failed": "pods_rebuild", "pod_created": "pods_rebuild"}
	s.CreatedBy, s.StartedAt, s.LastEventAt = ptr("replayctl:ops"), at(-2*time.Minute), at(-90*time.Minute)
	s.SkippedEvents = 1
	s.Replayctl = &contract.SessionExt{
		Checkpoint:         &contract.Checkpoint{Timestamp: fixedNow.Add(-90 * time.Minute), ObjectID: "6740a1b2c3d4e5f601234567", EventID: "e-1233"},
		PossibleDuplicates: 100, Epoch: 2, Owner: "worker-1:4242:a1b2c3", CheckpointedAt: at(-3 * time.Second), RateLimit: 500,
	}
	s.Errors = []contract.SessionError{
		{Timestamp: fixedNow.Add(-100 * time.Second), Error: "produce: MESSAGE_TOO_LARGE", ErrorType: ptr("publish"), EventID: ptr("e-17")},
		{Timestamp: fixedNow.Add(-60 * time.Second), Error: "malformed event:\n  timestamp is not a date", ErrorType: ptr("malformed"), EventID: ptr("e-99")},
	}
	return &replay.Info{
		Session: &s,
		Holder: &replay.Lease{SessionID: s.SessionID, Epoch: 2, Owner: "worker-1:4242:a1b2c3", Purpose: "run",
			Since: fixedNow.Add(-3 * time.Minute), ExpiresAt: fixedNow.Add(12 * time.Second), Live: true},
		Requests: []replay.Request{{ID: s.SessionID + ":pause:1", SessionID: s.SessionID, Action: contract.ActionPause,
			RequestedBy: "laptop:99:ffee00", RequestedAt: fixedNow.Add(-time.Second)}},
	}
}

func TestShowDetailGolden(t *testing.T) {
	got := render(t, true, output.FormatTable, newShowView(fixtureInfo(), fixedNow))
	clitest.AssertGolden(t, "show_tty", got)
}

func TestShowMinimalPlatformSession(t *testing.T) {
	// A session as the platform writes it: no replayctl fields, no holder.
	s := contract.Session{SessionID: "p-1", Status: contract.StatusCreated, CreatedAt: fixedNow, Config: contract.DefaultSessionConfig()}
	got := render(t, true, output.FormatTable, newShowView(&replay.Info{Session: &s}, fixedNow))
	for _, want := range []string{"all (no condition set)", "Position:  none", "Holder:            none", "Pending requests:  none"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "Last errors") {
		t.Errorf("errors section without errors:\n%s", got)
	}
}

func TestShowJSONShape(t *testing.T) {
	var got struct {
		Session  contract.Session `json:"session"`
		Holder   *holderView      `json:"holder"`
		Requests []requestView    `json:"requests"`
	}
	raw := render(t, false, output.FormatJSON, newShowView(fixtureInfo(), fixedNow))
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if got.Session.SessionID != fixtureSessions()[0].SessionID || got.Holder == nil || got.Holder.Epoch != 2 || !got.Holder.Live || len(got.Requests) != 1 || got.Requests[0].Action != "pause" {
		t.Errorf("decoded = %+v", got)
	}
	none := render(t, false, output.FormatJSON, newShowView(&replay.Info{Session: &got.Session}, fixedNow))
	if !strings.Contains(none, `"requests": []`) || !strings.Contains(none, `"holder": null`) {
		t.Errorf("no holder or requests should be null and []:\n%s", none)
	}
}

func TestSummaryText(t *testing.T) {
	st := output.NewStyles(false)
	s := fixtureSessions()[1]
	s.SkippedEvents = 2
	sum := newSummaryView(&s, "completed", 4200*time.Millisecond, 5000)
	if got := sum.text(st); got != "✓ Session 7f3e2d1c-0b9a-4876-a543-210fedcba987 completed: 200 replayed, 0 failed, 2 skipped in 4.2s (1190 events/s)\n" {
		t.Errorf("completed: %q", got)
	}
	s.FailedEvents, s.Errors = 3, []contract.SessionError{{Error: "boom", EventID: ptr("e-1")}, {Error: "bang\nbang", EventID: ptr("e-2")}}
	got := newSummaryView(&s, "completed", 0, 0).text(st)
	if !strings.HasPrefix(got, "! Session 7f3e2d1c-0b9a-4876-a543-210fedcba987 completed with failures: 200 replayed, 3 failed, 2 skipped\n") ||
		!strings.Contains(got, "  - event e-2: bang bang\n  - event e-1: boom\n") {
		t.Errorf("with failures: %q", got)
	}
	s.Status = contract.StatusPaused
	if got := newSummaryView(&s, "", 0, 0).text(st); !strings.Contains(got, "paused at event 205/200") || !strings.Contains(got, "Resume with: replayctl replay resume 7f3e2d1c") {
		t.Errorf("paused: %q", got)
	}
}

func TestPreviewView(t *testing.T) {
	yes, no := true, false
	pv := &replay.Preview{
		Matching: 3, Total: 3, First: at(-time.Hour), Last: at(-time.Minute),
		ByType: []replay.TypePreview{
			{EventType: "pod_created", Count: 2, Topic: "dev_pod_created", TopicExists: &yes},
			{EventType: "pod_failed", Count: 1, Topic: "dev_pod_failed", TopicExists: &no},
		},
		Sample:            []json.RawMessage{json.RawMessage(`{"event_id":"e-1","event_type":"pod_created"}`)},
		EstimatedDuration: 90 * time.Second, Pacing: "speed x2 (original gaps / 2)",
	}
	sess := fixtureSessions()[0]
	got := render(t, true, output.FormatTable, newPreviewView(pv, &sess, false))
	for _, want := range []string{"Matching events:     3", "pod_created  2      dev_pod_created  yes", "pod_failed   1      dev_pod_failed   no",
		"#1:  {\n       \"event_id\": \"e-1\",", "Estimated duration:  1m30s", "speed x2"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	var decoded map[string]any
	if err := json.Unmarshal([]byte(render(t, false, output.FormatJSON, newPreviewView(pv, &sess, true))), &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded["total"] != 3.0 || decoded["matching"] != 3.0 || decoded["estimated_duration_seconds"] != 90.0 || decoded["session_id"] != sess.SessionID ||
		len(decoded["by_type"].([]any)) != 2 || decoded["sample"].([]any)[0].(map[string]any)["event_id"] != "e-1" {
		t.Errorf("json = %v", decoded)
	}
	var buf bytes.Buffer
	buf.WriteString(render(t, false, output.FormatJSON, newPreviewView(&replay.Preview{}, &sess, false)))
	if !strings.Contains(buf.String(), `"sample": []`) || !strings.Contains(buf.String(), `"by_type": []`) {
		t.Errorf("empty preview should have empty lists:\n%s", buf.String())
	}
}

func TestWatcherSaysWhenPaused(t *testing.T) {
	ios, _, _, errOut := output.Test()
	w := &watcher{ios: ios, styles: output.NewStyles(false), id: "s-1"}
	s := contract.Session{SessionID: "s-1", Status: contract.StatusRunning, TotalEvents: 10, ReplayedEvents: 2}
	w.observe(&s)
	s.Status, s.ReplayedEvents = contract.StatusPaused, 4
	w.observe(&s)
	w.observe(&s)
	s.Status = contract.StatusRunning
	w.observe(&s)
	w.finish()
	got := errOut.String()
	if strings.Count(got, "is paused at event 4/10; still watching") != 1 || !strings.Contains(got, "Session s-1 is running again.") {
		t.Errorf("stderr:\n%s", got)
	}
}

func TestWatchProgressTTY(t *testing.T) {
	ios, _, _, errOut := output.Test()
	ios.SetStderrTTY(true)
	clock := fixedNow
	p := newWatchProgress(ios, func() time.Time { return clock })
	s := contract.Session{SessionID: "0b9c1f6e-2d3a-4c4f", Status: contract.StatusRunning, TotalEvents: 100, ReplayedEvents: 40}
	p.observe(&s)
	for range 5 {
		clock = clock.Add(time.Second)
		s.ReplayedEvents += 10
		p.observe(&s)
	}
	p.finish()
	got := errOut.String()
	last := got[strings.LastIndex(got, "\r")+1:]
	if !strings.HasPrefix(last, "Session 0b9c1f6e-2d3 running [=================>  ] 90% 90/100 ") ||
		!strings.Contains(last, "/s ETA ") || !strings.HasSuffix(last, "\x1b[K\n") {
		t.Errorf("last line = %q", last)
	}
	if strings.Contains(got, "k/s") {
		t.Errorf("rate counted events done before watching began: %q", got)
	}
}

func TestWatchProgressPlainLinesAreSpaced(t *testing.T) {
	ios, _, _, errOut := output.Test()
	clock := fixedNow
	p := newWatchProgress(ios, func() time.Time { return clock })
	s := contract.Session{SessionID: "s-1", Status: contract.StatusRunning, TotalEvents: 10}
	for i := range 10 {
		s.ReplayedEvents = int64(i)
		p.observe(&s)
		clock = clock.Add(time.Second)
	}
	if n := strings.Count(errOut.String(), "\n"); n != 2 {
		t.Errorf("%d lines in 10s, want 2 (one per 5s):\n%s", n, errOut.String())
	}
}

// A resumed run's bar covers what is left, so its rate is this run's.
func TestRunProgressOfResumedSession(t *testing.T) {
	ios, _, _, errOut := output.Test()
	s := contract.Session{SessionID: "0b9c1f6e-2d3a-4c4f", TotalEvents: 40, ReplayedEvents: 18, SkippedEvents: 2}
	p := newRunProgress(ios, &s)
	p.update(replay.Progress{Total: 40, Replayed: 38, Skipped: 2})
	p.finish()
	got := errOut.String()
	if !strings.HasPrefix(got, "Replaying 0b9c1f6e-2d3 (resumed after 20): 20/20 (100%)") {
		t.Errorf("progress = %q", got)
	}
}

// The list shape is the stable machine interface: a golden per format.
func TestListMachineGolden(t *testing.T) {
	v := listView{sessionList: sessionList{Sessions: fixtureSessions()[:1], now: fixedNow}, total: 1,
		skipped: []output.Skipped{{ID: "665f1c2e9b1d4c0012345678", Collection: "replay_sessions",
			Error: "error decoding key config: cannot decode string into a contract.SessionConfig"}}}
	clitest.AssertGolden(t, "list_json", render(t, false, output.FormatJSON, v))
	clitest.AssertGolden(t, "list_yaml", render(t, false, output.FormatYAML, v))
}
