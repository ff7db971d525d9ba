package dlqcmd

import (
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

func renderAs(t *testing.T, format output.Format, v any) string {
	t.Helper()
	ios, _, out, _ := output.Test()
	if err := output.NewPrinter(ios, format).Print(v); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// assertMachineGoldens pins a list command's -o json and -o yaml: the list
// shape is the stable interface scripts rely on.
func assertMachineGoldens(t *testing.T, name string, v any) {
	t.Helper()
	clitest.AssertGolden(t, name+"_json", renderAs(t, output.FormatJSON, v))
	clitest.AssertGolden(t, name+"_yaml", renderAs(t, output.FormatYAML, v))
}

var goldenSkipped = []output.Skipped{{ID: "665f1c2e9b1d4c0012345678", Collection: "dlq_messages",
	Error: "error decoding key retry_count: cannot decode string into an integer type"}}

func TestListMachineGolden(t *testing.T) {
	l := newListView(fixtureMessages(t)[:1], 7, testNow, false)
	l.Skipped = goldenSkipped
	assertMachineGoldens(t, "list", l)
}

func TestListInvalidMachineGolden(t *testing.T) {
	assertMachineGoldens(t, "list_invalid", invalidListView{newPageView([]invalidJSON{{
		Topic: "dead_letter_queue", Partition: 0, Offset: 42, Key: "k", Value: "not json", Headers: map[string]string{"a": "b"},
		Reason: "invalid JSON: unexpected token", ReceivedAt: testNow.Add(-time.Minute)}}, 1, []output.Skipped{}, testNow)})
}

func TestTopicsMachineGolden(t *testing.T) {
	sums := []dlq.TopicSummary{{Topic: "pod_failed", Total: 3, ByStatus: map[string]int64{"pending": 2, "retried": 1},
		OldestFailure: testNow.Add(-3 * time.Hour), NewestFailure: testNow.Add(-time.Minute), AvgRetryCount: 1.5, MaxRetryCount: 3}}
	assertMachineGoldens(t, "topics", newTopicsView(sums, 1, goldenSkipped, testNow))
}

func TestErrorsMachineGolden(t *testing.T) {
	groups := []dlq.ErrorGroup{{Pattern: "timeout after <n>s on <id>", Example: "timeout after 30s on exec-1", Count: 4,
		Topics: []string{"a"}, EventTypes: []string{"execution_failed"}, FirstSeen: testNow.Add(-time.Hour), LastSeen: testNow}}
	assertMachineGoldens(t, "errors", newErrorsView(groups, 3, goldenSkipped, testNow))
}

func TestPolicyListMachineGolden(t *testing.T) {
	l := newPolicyListView(dlq.Presets()[2:3], []dlq.Override{{Topic: "pod_failed", Policy: dlq.Policy{Strategy: dlq.StrategyManual},
		UpdatedAt: testNow.Add(-time.Hour), UpdatedBy: "host:1"}}, testNow)
	assertMachineGoldens(t, "policy_list", l)
}
