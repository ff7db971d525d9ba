package dlqcmd

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/exitcode"
)

// readFixture is a small queue with every status, three topics, and errors
// that differ only in ids and numbers.
func readFixture(e *env) map[string]string {
	ids := map[string]string{
		"A": uuid("alpha-1"), "B": uuid("bravo-1"), "C": uuid("charlie"),
		"D": uuid("delta-1"), "E": uuid("ambig-1"), "F": uuid("ambig-2"),
	}
	e.insert(
		msgSpec{id: ids["A"], typ: "execution_failed", status: "pending", failedAgo: 10 * time.Minute,
			err: "TimeoutError: no answer after 30s from pod exec-1f3a9c2b"},
		msgSpec{id: ids["B"], typ: "execution_failed", status: "scheduled", retries: 2, failedAgo: time.Hour,
			nextRetryIn: dur(5 * time.Minute), err: "TimeoutError: no answer after 45s from pod exec-9c2b1d4e"},
		msgSpec{id: ids["C"], typ: "pod_failed", status: "retried", retries: 1, failedAgo: 3 * time.Hour,
			err: "KafkaError: broker unavailable"},
		msgSpec{id: ids["D"], typ: "pod_failed", status: "discarded", retries: 3, failedAgo: 48 * time.Hour,
			err: "ValidationError: field 'exit_code' must be int"},
		msgSpec{id: ids["E"], typ: "user_login", status: "pending", failedAgo: 20 * time.Minute,
			err: "KafkaError: broker unavailable"},
		msgSpec{id: ids["F"], typ: "user_login", status: "pending", retries: 4, failedAgo: 30 * time.Minute,
			err: "KafkaError: broker unavailable"},
	)
	return ids
}

type listJSON struct {
	Total int64 `json:"total"`
	Items []struct {
		Event struct {
			EventID   string `json:"event_id"`
			EventType string `json:"event_type"`
			Timestamp string `json:"timestamp"`
		} `json:"event"`
		OriginalTopic string     `json:"original_topic"`
		Status        string     `json:"status"`
		RetryCount    int64      `json:"retry_count"`
		NextRetryAt   *time.Time `json:"next_retry_at"`
		DiscardReason *string    `json:"discard_reason"`
		Headers       map[string]string
	} `json:"items"`
}

func (l listJSON) ids() string {
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Event.EventID)
	}
	return strings.Join(out, ",")
}

func join(ids map[string]string, keys ...string) string {
	var out []string
	for _, k := range keys {
		out = append(out, ids[k])
	}
	return strings.Join(out, ",")
}

func TestE2ERead(t *testing.T) {
	e := newEnv(t)
	ids := readFixture(e)
	t.Run("list filters", func(t *testing.T) { e.t = t; testListFilters(e, ids) })
	t.Run("list on a terminal", func(t *testing.T) { e.t = t; testListTTY(e, ids) })
	t.Run("show", func(t *testing.T) { e.t = t; testShow(e, ids) })
	t.Run("topics", func(t *testing.T) { e.t = t; testTopics(e) })
	t.Run("errors", func(t *testing.T) { e.t = t; testErrors(e) })
	t.Run("completion", func(t *testing.T) { e.t = t; testCompletion(e, ids) })
}

func testListFilters(e *env, ids map[string]string) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, join(ids, "A", "E", "F", "B", "C", "D")},
		{[]string{"--status", "pending"}, join(ids, "A", "E", "F")},
		{[]string{"--status", "pending", "--topic", e.topic("user_login")}, join(ids, "E", "F")},
		{[]string{"--type", "pod_failed"}, join(ids, "C", "D")},
		{[]string{"--since", "45m"}, join(ids, "A", "E", "F")},
		{[]string{"--until", "2h"}, join(ids, "C", "D")},
		{[]string{"--error", "TIMEOUTERROR"}, join(ids, "A", "B")},
		{[]string{"--status", "retried,discarded", "--since", "1d"}, join(ids, "C")},
	}
	for _, c := range cases {
		var got listJSON
		e.okJSON(&got, append([]string{"list"}, c.args...)...)
		if got.ids() != c.want || got.Total != int64(len(strings.Split(c.want, ","))) {
			e.t.Errorf("list %v: total %d, ids %s; want %s", c.args, got.Total, got.ids(), c.want)
		}
	}
	var page listJSON
	e.okJSON(&page, "list", "--limit", "2", "--offset", "2")
	if page.Total != 6 || page.ids() != join(ids, "F", "B") {
		e.t.Errorf("page: total %d ids %s", page.Total, page.ids())
	}
	b := page.Items[1]
	if b.Status != "scheduled" || b.RetryCount != 2 || b.NextRetryAt == nil || !b.NextRetryAt.Equal(e.now.Add(5*time.Minute)) ||
		b.Event.EventType != "execution_failed" || b.OriginalTopic != e.topic("execution_failed") || b.Headers["event_type"] != "execution_failed" {
		e.t.Errorf("full document fields: %+v", b)
	}
	// Piped output is TSV with full ids, newest first.
	lines := strings.Split(strings.TrimSpace(e.ok("list", "--status", "pending")), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "EVENT ID\tTYPE\tTOPIC\tSTATUS") || !strings.HasPrefix(lines[1], ids["A"]+"\t") {
		e.t.Errorf("TSV list:\n%s", strings.Join(lines, "\n"))
	}
	e.wantExit(exitcode.Usage, runOpts{}, "list", "--status", "stuck")
	e.wantExit(exitcode.Usage, runOpts{}, "list", "--since", "last tuesday")
}

func testListTTY(e *env, ids map[string]string) {
	r := e.run(runOpts{tty: true}, "list", "--limit", "2")
	if r.Err != nil {
		e.t.Fatal(r.Err)
	}
	if !strings.Contains(r.Stderr, "Showing 2 of 6 messages; use --offset 2 for more") {
		e.t.Errorf("footer missing: %q", r.Stderr)
	}
	short := ids["A"][:shortIDLen]
	if !strings.Contains(r.Stdout, short+"  execution_failed") || strings.Contains(r.Stdout, ids["A"]) {
		e.t.Errorf("a terminal shows 12-character ids:\n%s", r.Stdout)
	}
	if !strings.Contains(r.Stdout, "10m ago") || !strings.Contains(r.Stdout, "TimeoutError: no answer after 30s") {
		e.t.Errorf("relative failure time and error expected:\n%s", r.Stdout)
	}
	// The short id a terminal shows is accepted back.
	if out := e.ok("show", short); !strings.Contains(out, ids["A"]) {
		e.t.Errorf("show by displayed prefix:\n%s", out)
	}
}

func testShow(e *env, ids map[string]string) {
	out := e.ok("show", ids["B"][:8])
	for _, want := range []string{
		"Event ID:        " + ids["B"], "Status:          scheduled", "Retry count:     2",
		"TimeoutError: no answer after 45s", "Next retry:", "(in 5m)", "DLQ topic:  " + e.prefix + "dead_letter_queue",
		"Strategy:     exponential_backoff", "Source:       preset aggressive", `"event_id": "` + ids["B"] + `"`,
		"original_topic:  " + e.topic("execution_failed"),
	} {
		if !strings.Contains(out, want) {
			e.t.Errorf("show should contain %q:\n%s", want, out)
		}
	}
	var js struct {
		Message struct {
			Event  map[string]any `json:"event"`
			Status string         `json:"status"`
		} `json:"message"`
		Policy struct {
			Strategy       string     `json:"strategy"`
			MaxRetries     int        `json:"max_retries"`
			Source         string     `json:"source"`
			AutomaticRetry bool       `json:"automatic_retry"`
			NextRetryAt    *time.Time `json:"next_retry_at"`
		} `json:"policy"`
	}
	e.okJSON(&js, "show", ids["D"])
	if js.Message.Event["event_id"] != ids["D"] || js.Message.Status != "discarded" || js.Policy.Strategy != "exponential_backoff" ||
		js.Policy.MaxRetries != 3 || js.Policy.AutomaticRetry || !strings.Contains(js.Policy.Source, "cautious") {
		e.t.Errorf("show -o json: %+v", js)
	}
	r := e.wantExit(exitcode.NotFound, runOpts{}, "show", "ffffffff")
	if !strings.Contains(r.Err.Error(), "ffffffff") {
		e.t.Errorf("not found should name the id: %v", r.Err)
	}
	r = e.wantExit(exitcode.Usage, runOpts{}, "show", ids["E"][:10])
	if msg := r.Err.Error(); !strings.Contains(msg, ids["E"]) || !strings.Contains(msg, ids["F"]) {
		e.t.Errorf("ambiguous prefix should list the candidates: %v", r.Err)
	}
}

type topicRow struct {
	Topic         string           `json:"topic"`
	Total         int64            `json:"total"`
	ByStatus      map[string]int64 `json:"by_status"`
	OldestFailure time.Time        `json:"oldest_failure"`
	NewestFailure time.Time        `json:"newest_failure"`
	AvgRetryCount float64          `json:"avg_retry_count"`
	MaxRetryCount int64            `json:"max_retry_count"`
}

func testTopics(e *env) {
	var rows []topicRow
	e.okItems(&rows, "topics")
	got := map[string]topicRow{}
	for _, r := range rows {
		got[r.Topic] = r
	}
	want := map[string]topicRow{
		e.topic("execution_failed"): {Total: 2, ByStatus: map[string]int64{"pending": 1, "scheduled": 1, "retried": 0, "discarded": 0},
			OldestFailure: e.now.Add(-time.Hour), NewestFailure: e.now.Add(-10 * time.Minute), AvgRetryCount: 1, MaxRetryCount: 2},
		e.topic("pod_failed"): {Total: 2, ByStatus: map[string]int64{"pending": 0, "scheduled": 0, "retried": 1, "discarded": 1},
			OldestFailure: e.now.Add(-48 * time.Hour), NewestFailure: e.now.Add(-3 * time.Hour), AvgRetryCount: 2, MaxRetryCount: 3},
		e.topic("user_login"): {Total: 2, ByStatus: map[string]int64{"pending": 2, "scheduled": 0, "retried": 0, "discarded": 0},
			OldestFailure: e.now.Add(-30 * time.Minute), NewestFailure: e.now.Add(-20 * time.Minute), AvgRetryCount: 2, MaxRetryCount: 4},
	}
	if len(rows) != len(want) {
		e.t.Fatalf("topics: %+v", rows)
	}
	for topic, w := range want {
		g := got[topic]
		if g.Total != w.Total || !maps.Equal(g.ByStatus, w.ByStatus) || !g.OldestFailure.Equal(w.OldestFailure) ||
			!g.NewestFailure.Equal(w.NewestFailure) || g.AvgRetryCount != w.AvgRetryCount || g.MaxRetryCount != w.MaxRetryCount {
			e.t.Errorf("topic %s:\n got %+v\nwant %+v", topic, g, w)
		}
	}
	var pending []topicRow
	e.okItems(&pending, "topics", "--status", "pending", "--limit", "1")
	if len(pending) != 1 {
		e.t.Errorf("--limit pages topics: %+v", pending)
	}
	out := e.ok("topics")
	if !strings.HasPrefix(out, "TOPIC\tTOTAL\tPENDING\tSCHEDULED\tRETRIED\tDISCARDED\tOLDEST\tNEWEST\tAVG RETRIES\tMAX RETRIES\n") {
		e.t.Errorf("topics table:\n%s", out)
	}
}

type errorRow struct {
	Pattern    string    `json:"pattern"`
	Example    string    `json:"example"`
	Count      int64     `json:"count"`
	Topics     []string  `json:"topics"`
	EventTypes []string  `json:"event_types"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
}

func testErrors(e *env) {
	var groups []errorRow
	e.okItems(&groups, "errors")
	if len(groups) != 3 {
		e.t.Fatalf("errors should collapse ids and numbers into 3 causes, got %d: %+v", len(groups), groups)
	}
	// Newest last-seen first: the timeout (10m ago), the broker (20m), validation (2d).
	timeout, broker := groups[0], groups[1]
	if !strings.HasPrefix(timeout.Example, "TimeoutError") || timeout.Count != 2 || !timeout.LastSeen.Equal(e.now.Add(-10*time.Minute)) ||
		!timeout.FirstSeen.Equal(e.now.Add(-time.Hour)) || strings.Contains(timeout.Pattern, "1f3a9c2b") {
		e.t.Errorf("timeout group: %+v", timeout)
	}
	if broker.Count != 3 || len(broker.Topics) != 2 || len(broker.EventTypes) != 2 {
		e.t.Errorf("broker group: %+v", broker)
	}
	e.okItems(&groups, "errors", "--sort", "count", "--limit", "1")
	if len(groups) != 1 || groups[0].Count != 3 {
		e.t.Errorf("--sort count --limit 1: %+v", groups)
	}
	e.okItems(&groups, "errors", "--type", "pod_failed")
	if len(groups) != 2 {
		e.t.Errorf("errors takes the filters: %+v", groups)
	}
}

func testCompletion(e *env, ids map[string]string) {
	r := e.runRoot(runOpts{}, "__complete", "dlq", "show", ids["E"][:10])
	if r.Err != nil {
		e.t.Fatal(r.Err)
	}
	if !strings.Contains(r.Stdout, ids["E"]+"\tuser_login pending") || !strings.Contains(r.Stdout, ids["F"]) || strings.Contains(r.Stdout, ids["A"]) {
		e.t.Errorf("id completion:\n%s", r.Stdout)
	}
	// retry only offers messages it would accept.
	r = e.runRoot(runOpts{}, "__complete", "dlq", "retry", "")
	if strings.Contains(r.Stdout, ids["C"]) || strings.Contains(r.Stdout, ids["D"]) || !strings.Contains(r.Stdout, ids["A"]) {
		e.t.Errorf("retry completion should skip terminal messages:\n%s", r.Stdout)
	}
	r = e.runRoot(runOpts{}, "__complete", "dlq", "list", "--topic", e.prefix+"pod")
	if !strings.Contains(r.Stdout, e.topic("pod_failed")) || strings.Contains(r.Stdout, e.topic("user_login")) {
		e.t.Errorf("topic completion:\n%s", r.Stdout)
	}
	r = e.runRoot(runOpts{}, "__complete", "dlq", "list", "--status", "")
	if !strings.Contains(r.Stdout, "scheduled") {
		e.t.Errorf("status completion:\n%s", r.Stdout)
	}
}
