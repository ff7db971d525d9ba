package dlqcmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// dlqRecord is a DLQ topic record value in the platform's shape.
func (e *env) dlqRecord(id, typ string, retries int, failedAgo time.Duration) []byte {
	failed := e.now.Add(-failedAgo).Format(contract.TimeFormat)
	v := map[string]any{
		"event": map[string]any{
			"event_id": id, "event_type": typ, "event_version": "1.0", "timestamp": failed,
			"aggregate_id": nil, "metadata": map[string]any{"service_name": "svc", "user_id": "u1", "environment": "production"},
		},
		"original_topic": e.topic(typ), "error": "handler crashed", "retry_count": retries,
		"failed_at": failed, "producer_id": "svc-1",
	}
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

type statsOut struct {
	Received, Duplicates, Dropped, Quarantined, Discarded, Scheduled, Retried int64
	RetryFailed                                                               int64 `json:"retry_failed"`
}

func TestE2EProcessOnce(t *testing.T) {
	e := newEnv(t)
	sched, imm, exhausted := uuid("proc-sched"), uuid("proc-imm"), uuid("proc-exhausted")
	e.produce(e.prefix+"dead_letter_queue",
		e.dlqRecord(sched, "execution_failed", 0, time.Minute),   // aggressive: scheduled
		e.dlqRecord(imm, "result_stored", 0, time.Minute),        // immediate: retried at once
		e.dlqRecord(exhausted, "pod_failed", 3, time.Minute),     // cautious, 3 of 3: discarded
		e.dlqRecord("test-"+sched, "pod_failed", 0, time.Minute), // test id outside test: dropped
		e.dlqRecord(uuid("proc-old"), "pod_failed", 0, 8*24*time.Hour),
		[]byte("not json at all"),
		[]byte(`{"original_topic":"x","error":"no event"}`),
		[]byte(`{"event":{"event_type":"pod_failed"},"original_topic":"x"}`),
	)

	group := testenv.UniqueName(t, "g") // a fresh group: the first run also creates it

	var st statsOut
	e.okJSON(&st, "process", "--once", "--group", group, "--poll-interval", "100ms")
	if st.Received != 3 || st.Scheduled != 1 || st.Retried != 1 || st.Discarded != 1 || st.Quarantined != 3 || st.Dropped != 2 || st.RetryFailed != 0 {
		t.Errorf("stats: %+v", st)
	}
	var list listJSON
	e.okJSON(&list, "list")
	status := map[string]string{}
	for _, it := range list.Items {
		status[it.Event.EventID] = it.Status
		if it.Event.EventID == sched {
			next := it.NextRetryAt
			if next == nil || next.Before(e.now.Add(27*time.Second)) || next.After(e.now.Add(33*time.Second)) {
				t.Errorf("aggressive preset: next retry 30s +/- 10%% from now, got %v (now %v)", next, e.now)
			}
		}
		if it.Event.EventID == exhausted && (it.DiscardReason == nil || *it.DiscardReason != "max_retries_exceeded") {
			t.Errorf("exhausted message discard reason: %v", it.DiscardReason)
		}
	}
	if len(list.Items) != 3 || status[sched] != "scheduled" || status[imm] != "retried" || status[exhausted] != "discarded" {
		t.Errorf("documents: %v", status)
	}
	if n := e.recordCount(e.topic("result_stored")); n != 1 {
		t.Errorf("the immediate retry should have been sent once, %d records", n)
	}

	var inv struct {
		Total int64 `json:"total"`
		Items []struct {
			Topic  string `json:"topic"`
			Offset int64  `json:"offset"`
			Value  string `json:"value"`
			Reason string `json:"reason"`
		} `json:"items"`
	}
	e.okJSON(&inv, "list", "--invalid")
	if inv.Total != 3 || len(inv.Items) != 3 {
		t.Fatalf("quarantine: %+v", inv)
	}
	values := ""
	for _, it := range inv.Items {
		if it.Reason == "" || it.Topic != e.prefix+"dead_letter_queue" {
			t.Errorf("quarantined record: %+v", it)
		}
		values += it.Value + "\n"
	}
	if !strings.Contains(values, "not json at all") {
		t.Errorf("raw values should be shown as text:\n%s", values)
	}
	if out := e.ok("list", "--invalid"); !strings.HasPrefix(out, "TOPIC\tPARTITION\tOFFSET\tREASON\tRECEIVED\tVALUE\n") {
		t.Errorf("quarantine table:\n%s", out)
	}

	// Offsets were committed: a second pass reads nothing new.
	e.okJSON(&st, "process", "--once", "--group", group)
	if st.Received != 0 || st.Quarantined != 0 || st.Duplicates != 0 {
		t.Errorf("second pass: %+v", st)
	}
	if out := e.ok("process", "--once", "--group", group); !strings.Contains(out, "Received:") || !strings.Contains(out, "Quarantined:") {
		t.Errorf("process summary:\n%s", out)
	}
}

// TestE2EProcessUntilStopped runs the processor as a daemon and stops it
// the way Ctrl-C or SIGTERM does: by cancelling its context.
func TestE2EProcessUntilStopped(t *testing.T) {
	e := newEnv(t)
	topic := e.prefix + "dead_letter_queue"
	e.produce(topic, e.dlqRecord(uuid("loop-1"), "execution_failed", 0, time.Minute),
		e.dlqRecord(uuid("loop-2"), "user_login", 0, time.Minute))
	group := testenv.UniqueName(t, "g")

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan clitest.Result, 1)
	go func() {
		done <- e.run(runOpts{tty: true, ctx: ctx}, "process", "--group", group, "--poll-interval", "50ms", "-o", "json")
	}()
	testenv.Eventually(t, 30*time.Second, func() bool {
		n, err := e.st.DLQ.Collection().CountDocuments(context.Background(), bson.D{})
		return err == nil && n == 2
	}, "the processor should store both messages")
	stop()
	var r clitest.Result
	select {
	case r = <-done:
	case <-time.After(commandTimeout):
		t.Fatal("the processor did not stop after its context was cancelled")
	}
	if r.Err != nil {
		t.Fatalf("stopping the processor is a clean exit, got %v (exit %d)", r.Err, r.Code)
	}
	var st statsOut
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil || st.Received != 2 || st.Scheduled != 2 {
		t.Errorf("summary after stop: %+v %v\n%s", st, err, r.Stdout)
	}
	if !strings.Contains(r.Stderr, "press Ctrl-C to stop") || !strings.Contains(r.Stderr, "\rreceived 2, quarantined 0, scheduled 2") {
		t.Errorf("a terminal shows a live status line: %q", r.Stderr)
	}
}
