package dlqcmd

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

func strPtr(s string) *string { return &s }

func timePtr(t time.Time) *time.Time { return &t }

func int64Ptr(n int64) *int64 { return &n }

// fixtureMessages are two messages as the platform stores them, decoded.
func fixtureMessages(t *testing.T) []contract.DLQMessage {
	t.Helper()
	ev := func(id, typ string) bson.Raw {
		raw, err := bson.Marshal(bson.D{
			{Key: "event_id", Value: id}, {Key: "event_type", Value: typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: bson.NewDateTimeFromTime(testNow.Add(-3 * time.Hour))},
			{Key: "aggregate_id", Value: "exec-42"},
			{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "execution-service"}, {Key: "user_id", Value: "u1"}}},
			{Key: "exit_code", Value: int32(137)},
		})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	return []contract.DLQMessage{
		{
			Event: ev("3f2a9c1e-77b0-4d7e-9a43-2f6f0f5a8d11", "execution_failed"), OriginalTopic: "execution_failed",
			Error: "ValidationError: field 'exit_code' invalid\n  at consumer.py:88", RetryCount: 2,
			FailedAt: testNow.Add(-2 * time.Hour), Status: contract.DLQScheduled, ProducerID: "execution-service-1a2b",
			CreatedAt: testNow.Add(-2*time.Hour + time.Second), LastUpdated: timePtr(testNow.Add(-time.Hour)),
			NextRetryAt: timePtr(testNow.Add(5 * time.Minute)), LastError: strPtr("timeout after 30s"),
			DLQOffset: int64Ptr(17), DLQPartition: int64Ptr(1),
			Headers: map[string]string{"event_type": "execution_failed", "error_type": "ValidationError"},
			Extra:   map[string]any{"replayctl": bson.D{{Key: "send_failures", Value: int32(3)}}},
		},
		{
			Event: ev("9c0d11aa-0000-4000-8000-000000000002", "pod_failed"), OriginalTopic: "pod_failed",
			Error: "KafkaError: broker unavailable", RetryCount: 3, FailedAt: testNow.Add(-50 * time.Hour),
			Status: contract.DLQDiscarded, ProducerID: "k8s-worker", CreatedAt: testNow.Add(-50 * time.Hour),
			DiscardedAt: timePtr(testNow.Add(-49 * time.Hour)), DiscardReason: strPtr(dlq.ReasonMaxRetries),
		},
	}
}

// render prints v as a person at a 120-column terminal would see it.
func render(t *testing.T, v any, color bool) string {
	t.Helper()
	ios, _, out, _ := output.Test()
	ios.SetStdoutTTY(true)
	ios.SetColorEnabled(color)
	ios.SetTerminalWidth(120)
	if err := output.NewPrinter(ios, output.FormatTable).Print(v); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestListViewGolden(t *testing.T) {
	msgs := fixtureMessages(t)
	clitest.AssertGolden(t, "list", render(t, newListView(msgs, 1234, testNow, true), false))
	clitest.AssertGolden(t, "list_color", render(t, newListView(msgs, 2, testNow, true), true))
}

func TestShowViewGolden(t *testing.T) {
	msg := fixtureMessages(t)[0]
	res := &dlq.Resolved{Policy: dlq.Presets()[0].Policy, Preset: "aggressive", Source: "preset aggressive (EXECUTION event type execution_failed)"}
	view := showView{Message: newMessageJSON(&msg), Policy: showPolicy(&msg, res), dlqTopic: "dead_letter_queue", now: testNow}
	clitest.AssertGolden(t, "show", render(t, view, false))
}

func TestListJSONShape(t *testing.T) {
	ios, _, out, _ := output.Test()
	if err := output.NewPrinter(ios, output.FormatJSON).Print(newListView(fixtureMessages(t), 7, testNow, false)); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Total int64            `json:"total"`
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Total != 7 || len(got.Items) != 2 {
		t.Fatalf("total %d, %d items", got.Total, len(got.Items))
	}
	first := got.Items[0]
	ev, ok := first["event"].(map[string]any)
	if !ok || ev["event_id"] != "3f2a9c1e-77b0-4d7e-9a43-2f6f0f5a8d11" || ev["exit_code"] != float64(137) {
		t.Errorf("event should be a JSON object with its payload: %v", first["event"])
	}
	for key, want := range map[string]any{"original_topic": "execution_failed", "status": "scheduled", "retry_count": float64(2),
		"dlq_offset": float64(17), "discard_reason": nil, "next_retry_at": "2024-05-01T12:05:00Z"} {
		if v, present := first[key]; !present || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, present, want)
		}
	}
	if _, leaked := first["Extra"]; leaked {
		t.Error("internal fields leaked into JSON")
	}
}

func TestListTSVKeepsFullIDs(t *testing.T) {
	ios, _, out, _ := output.Test()
	if err := output.NewPrinter(ios, output.FormatTable).Print(newListView(fixtureMessages(t), 2, testNow, false)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "3f2a9c1e-77b0-4d7e-9a43-2f6f0f5a8d11\t") {
		t.Errorf("piped output should be TSV with full ids:\n%s", out)
	}
	if !strings.Contains(lines[1], "field 'exit_code' invalid at consumer.py:88") {
		t.Errorf("multi-line error should be one line: %q", lines[1])
	}
}

func TestShowPolicyNextRetry(t *testing.T) {
	msgs := fixtureMessages(t)
	aggressive := &dlq.Resolved{Policy: dlq.Presets()[0].Policy}
	if sp := showPolicy(&msgs[0], aggressive); !sp.AutomaticRetry || sp.NextRetryAt == nil {
		t.Errorf("scheduled message under its max retries: %+v", sp)
	}
	if sp := showPolicy(&msgs[1], aggressive); sp.AutomaticRetry || !strings.Contains(sp.Note, "already discarded") {
		t.Errorf("terminal message: %+v", sp)
	}
	msgs[0].RetryCount = 5
	if sp := showPolicy(&msgs[0], aggressive); sp.AutomaticRetry || !strings.Contains(sp.Note, "max retries 5") {
		t.Errorf("exhausted: %+v", sp)
	}
	manual := &dlq.Resolved{Policy: dlq.Policy{Strategy: dlq.StrategyManual, MaxRetries: 9}}
	if sp := showPolicy(&msgs[0], manual); sp.AutomaticRetry || !strings.Contains(sp.Note, "manual") {
		t.Errorf("manual: %+v", sp)
	}
}

func TestTopicAndErrorViews(t *testing.T) {
	sums := []dlq.TopicSummary{{Topic: "pod_failed", Total: 3, ByStatus: map[string]int64{"pending": 2, "retried": 1},
		OldestFailure: testNow.Add(-3 * time.Hour), NewestFailure: testNow.Add(-time.Minute), AvgRetryCount: 1.3333, MaxRetryCount: 3}}
	got := render(t, newTopicsView(sums, 1, nil, testNow), false)
	want := "TOPIC       TOTAL  PENDING  SCHEDULED  RETRIED  DISCARDED  OLDEST  NEWEST  AVG RETRIES  MAX RETRIES\n" +
		"pod_failed  3      2        0          1        0          3h ago  1m ago  1.3          3\n"
	if got != want {
		t.Errorf("topics table:\n%s\nwant:\n%s", got, want)
	}
	ios, _, out, _ := output.Test()
	groups := []dlq.ErrorGroup{{Pattern: "timeout after <n>s on <id>", Count: 4, Topics: []string{"a", "b", "c"}}}
	if err := output.NewPrinter(ios, output.FormatJSON).Print(newErrorsView(groups, 1, nil, testNow)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"pattern": "timeout after <n>s on <id>"`) || !strings.Contains(out.String(), `"event_types": []`) {
		t.Errorf("errors JSON should be unescaped with empty lists, got:\n%s", out)
	}
	if row := newErrorsView(groups, 1, nil, testNow).TableRows(nil)[0]; row[2] != "a, b +1" || row[3] != "-" {
		t.Errorf("row = %q", row)
	}
	out.Reset()
	if err := output.NewPrinter(ios, output.FormatJSON).Print(newTopicsView(nil, 0, nil, testNow)); err != nil ||
		strings.Join(strings.Fields(out.String()), " ") != `{ "items": [], "total": 0, "skipped": [] }` {
		t.Errorf("empty topics JSON = %q, %v", out, err)
	}
}

func TestPolicyListView(t *testing.T) {
	l := newPolicyListView(dlq.Presets(), []dlq.Override{{Topic: "pod_failed", Policy: dlq.Policy{Strategy: dlq.StrategyManual},
		UpdatedAt: testNow.Add(-time.Hour), UpdatedBy: "host:1"}}, testNow)
	got := render(t, l, false)
	for _, want := range []string{"aggressive", "EXECUTION, COMMAND (13 types)", "RESULT (2 types)", "pod_failed", "manual", "1h ago by host:1"} {
		if !strings.Contains(got, want) {
			t.Errorf("policy list should contain %q:\n%s", want, got)
		}
	}
	ios, _, out, _ := output.Test()
	if err := output.NewPrinter(ios, output.FormatJSON).Print(l); err != nil {
		t.Fatal(err)
	}
	var js struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	if err := json.Unmarshal(out.Bytes(), &js); err != nil || len(js.Items) != 5 || js.Total != 5 {
		t.Fatalf("%v %s", err, out)
	}
	if js.Items[0]["kind"] != "preset" || js.Items[0]["base_delay_seconds"] != float64(30) || len(js.Items[1]["event_types"].([]any)) != 7 {
		t.Errorf("preset JSON: %v", js.Items[:2])
	}
	if o := js.Items[4]; o["kind"] != "override" || o["topic"] != "pod_failed" || o["strategy"] != "manual" || o["updated_by"] != "host:1" {
		t.Errorf("override JSON: %v", o)
	}
	if empty := render(t, newPolicyListView(dlq.Presets(), nil, testNow), false); !strings.Contains(empty, "None:") {
		t.Errorf("no overrides should say so:\n%s", empty)
	}
}

func TestBatchViews(t *testing.T) {
	msgs := fixtureMessages(t)
	plan := &dlq.Plan{Messages: msgs[:1], Refused: []dlq.Refusal{{EventID: "9c0d11aa-0000", Status: "discarded"}}}
	res := &dlq.BatchResult{Results: []dlq.ItemResult{{EventID: "3f2a9c1e-77b0-4d7e-9a43-2f6f0f5a8d11", Topic: "execution_failed", OK: true, RetryCount: 3}}, Succeeded: 1}
	v := newBatchView("retry", res, plan, true)
	got := render(t, v, false)
	want := "EVENT ID      TOPIC             RESULT   RETRIES  ERROR\n" +
		"3f2a9c1e-77b  execution_failed  ✓        3\n" +
		"9c0d11aa-000  -                 refused  -        already discarded\n"
	if got != want {
		t.Errorf("result table:\n%q\nwant:\n%q", got, want)
	}
	if v.Refused != 1 {
		t.Errorf("refused = %d", v.Refused)
	}
	act := batchAction{verb: "retry", past: "Retried"}
	if s := summaryLine(v, 1, act); s != "Retried 1 of 1 messages, 1 refused (1 already discarded)" {
		t.Errorf("summary %q", s)
	}
	held := batchView{Succeeded: 30, Refused: 3, Refusals: []refusalJSON{
		{Reason: "already retried"}, {Reason: "held by another process"}, {Reason: "held by another process"}}}
	if s := summaryLine(held, 33, act); s != "Retried 30 of 33 messages, 3 refused (2 held by another process, 1 already retried)" {
		t.Errorf("summary of a contested batch %q: the refusals' own reasons, most common first", s)
	}
	d := newDryRunView("retry", plan, "elsewhere", false)
	if d.Count != 1 || d.ByTopic["elsewhere"] != 1 || d.Messages[0].Topic != "elsewhere" || d.Messages[0].OriginalTopic != "execution_failed" {
		t.Errorf("dry run %+v", d)
	}
	if b := topicBreakdown(map[string]int{"a": 1, "b": 5, "c": 1}, act); b != "5 to b, 1 to a, 1 to c" {
		t.Errorf("breakdown %q", b)
	}
}

func TestStatusLineOnlyOnTerminal(t *testing.T) {
	ios, _, _, errOut := output.Test()
	clock := testNow
	line := newStatusLine(ios, func() time.Time { return clock })
	line.Set("received 1")
	line.Done()
	if errOut.Len() != 0 {
		t.Errorf("no terminal, no status line: %q", errOut)
	}
	ios.SetStderrTTY(true)
	line.Set("received 1")
	line.Set("received 2") // within the redraw interval: not drawn yet
	clock = clock.Add(time.Second)
	line.Set("received 3")
	line.Done()
	if got := errOut.String(); got != "\rreceived 1\x1b[K\rreceived 3\x1b[K\rreceived 3\x1b[K\n" {
		t.Errorf("status line output %q", got)
	}
	var buf bytes.Buffer
	buf.WriteString(statusText(dlq.ProcessStats{Received: 5, RetryFailed: 1}))
	if !strings.Contains(buf.String(), "received 5") || !strings.Contains(buf.String(), "1 retries failed") {
		t.Errorf("status text %q", buf.String())
	}
}

func TestDisplayIDs(t *testing.T) {
	a, b := "616d6269-672d-4100-8000-000000000000", "616d6269-672d-4200-8000-000000000000"
	if got := displayIDs([]string{a, b, "short", ""}, true); got[0] != a[:16] || got[1] != b[:16] || got[2] != "short" || got[3] != "-" {
		t.Errorf("colliding prefixes grow until unique: %q", got)
	}
	if got := displayIDs([]string{a, a}, true); got[0] != a[:shortIDLen] {
		t.Errorf("the same id twice is not a collision: %q", got)
	}
	if got := displayIDs([]string{a}, false); got[0] != a {
		t.Errorf("piped output keeps full ids: %q", got)
	}
	rs := make([]refusalJSON, maxRefusalRows+5)
	rows := refusalRows(rs, func(int, refusalJSON) []string { return []string{"x"} })
	if len(rows) != maxRefusalRows+1 || rows[maxRefusalRows][0] != "(5 more refused)" {
		t.Errorf("refusal rows are capped: %d rows, last %q", len(rows), rows[len(rows)-1])
	}
}
