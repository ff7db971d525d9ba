package dlqcmd

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestE2ERetryByID(t *testing.T) {
	e := newEnv(t)
	p1, done := uuid("retry-p1"), uuid("retry-done")
	e.insert(
		msgSpec{id: p1, typ: "execution_failed", status: "pending", retries: 1, failedAgo: time.Minute, err: "boom",
			headers: bson.D{{Key: "trace_id", Value: "t-1"}, {Key: "event_type", Value: "execution_failed"}}},
		msgSpec{id: done, typ: "execution_failed", status: "retried", retries: 1, failedAgo: time.Hour, err: "boom"},
	)
	topic := e.topic("execution_failed")
	r := e.run(runOpts{}, "retry", p1[:16])
	if r.Err != nil {
		t.Fatalf("retry: %v\n%s", r.Err, r.Stderr)
	}
	if !strings.Contains(r.Stdout, p1+"\t"+topic+"\t✓\t2") || !strings.Contains(r.Stderr, "Retried 1 of 1 messages") {
		t.Errorf("result:\n%s\nstderr: %s", r.Stdout, r.Stderr)
	}
	rec := e.consume(topic, 1)[0]
	var value map[string]any
	if err := json.Unmarshal(rec.Value, &value); err != nil {
		t.Fatalf("value is not JSON: %v: %s", err, rec.Value)
	}
	headers := map[string]string{}
	for _, h := range rec.Headers {
		headers[h.Key] = string(h.Value)
	}
	if string(rec.Key) != p1 || value["event_id"] != p1 || value["event_type"] != "execution_failed" || value["exit_code"] != float64(1) {
		t.Errorf("record key %q value %s", rec.Key, rec.Value)
	}
	if headers["trace_id"] != "t-1" || headers[dlq.HeaderEventID] != p1 || headers[dlq.HeaderRetryCount] != "2" {
		t.Errorf("headers should restore the stored ones and mark the redrive: %v", headers)
	}
	doc := e.stored(p1)
	if doc["status"] != "retried" || toInt(doc["retry_count"]) != 2 || doc["retried_at"] == nil {
		t.Errorf("stored after retry: status %v retry_count %v retried_at %v", doc["status"], doc["retry_count"], doc["retried_at"])
	}
	if n := e.recordCount(e.topic(dlq.EventRetried)); n != 1 {
		t.Errorf("%d dlq_message_retried events, want 1", n)
	}

	// Retrying it again, or a message already retried, is refused: exit 4.
	for _, id := range []string{p1, done} {
		r = e.wantExit(exitcode.InvalidState, runOpts{}, "retry", id)
		if !strings.Contains(r.Stdout, "refused") || !strings.Contains(r.Err.Error(), "already retried or discarded") {
			t.Errorf("refusal of %s:\n%s\n%v", id, r.Stdout, r.Err)
		}
	}
	e.wantExit(exitcode.NotFound, runOpts{}, "retry", "ffffffff")
	if n := e.recordCount(topic); n != 1 {
		t.Errorf("refused and unknown ids must send nothing: %d records on %s", n, topic)
	}
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int32:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return -1
}

func TestE2EBulkRetry(t *testing.T) {
	e := newEnv(t)
	a, b := e.topic("execution_failed"), e.topic("pod_failed")
	ids := []string{uuid("bulk-a1"), uuid("bulk-a2"), uuid("bulk-a3")}
	done, other := uuid("bulk-done"), uuid("bulk-b1")
	e.insert(
		msgSpec{id: ids[0], typ: "execution_failed", status: "pending", failedAgo: 1 * time.Minute, err: "x"},
		msgSpec{id: ids[1], typ: "execution_failed", status: "scheduled", nextRetryIn: dur(time.Hour), failedAgo: 2 * time.Minute, err: "x"},
		msgSpec{id: ids[2], typ: "execution_failed", status: "pending", failedAgo: 3 * time.Minute, err: "x"},
		msgSpec{id: done, typ: "execution_failed", status: "retried", retries: 1, failedAgo: 4 * time.Minute, err: "x"},
		msgSpec{id: other, typ: "pod_failed", status: "pending", failedAgo: 5 * time.Minute, err: "x"},
	)
	before := e.allDocs()

	// Without a terminal a bulk retry needs --yes, and changes nothing.
	r := e.wantExit(exitcode.Usage, runOpts{}, "retry", "--all", "--topic", a)
	if !strings.Contains(r.Stderr, "About to retry 3 messages: 3 to "+a+" (1 more refused") || !strings.Contains(cmdutil.HintOf(r.Err), "--yes") {
		t.Errorf("refusal without --yes: %v\nstderr: %s", r.Err, r.Stderr)
	}
	// -o json never prompts, even on a terminal.
	e.wantExit(exitcode.Usage, runOpts{tty: true, stdin: "y\n"}, "retry", "--all", "--topic", a, "-o", "json")
	// On a terminal, the default answer is no.
	r = e.wantExit(exitcode.Error, runOpts{tty: true, stdin: "\n"}, "retry", "--all", "--topic", a)
	if !strings.Contains(r.Stderr, "Retry 3 messages? [y/N]") || !strings.Contains(r.Err.Error(), "cancelled") {
		t.Errorf("prompt: %v\nstderr: %q", r.Err, r.Stderr)
	}
	// A dry run lists what would be sent and sends nothing.
	r = e.run(runOpts{}, "retry", "--all", "--topic", a, "--dry-run")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if strings.Count(r.Stdout, "\tretry\n") != 3 || !strings.Contains(r.Stdout, done) ||
		!strings.Contains(r.Stderr, "Dry run: would retry 3 messages (3 to "+a+"), 1 refused") {
		t.Errorf("dry run:\n%s\nstderr: %s", r.Stdout, r.Stderr)
	}
	if after := e.allDocs(); !reflect.DeepEqual(before, after) {
		t.Errorf("refused, cancelled and dry runs must not change documents")
	}
	if n := e.recordCount(a); n != 0 {
		t.Fatalf("refused, cancelled and dry runs must not send: %d records on %s", n, a)
	}

	var res struct {
		Action    string `json:"action"`
		Succeeded int64  `json:"succeeded"`
		Failed    int64  `json:"failed"`
		Refused   int64  `json:"refused"`
		Results   []struct {
			EventID    string `json:"event_id"`
			Topic      string `json:"topic"`
			OK         bool   `json:"ok"`
			RetryCount int64  `json:"retry_count"`
		} `json:"results"`
		Refusals []struct {
			EventID string `json:"event_id"`
			Status  string `json:"status"`
		} `json:"refusals"`
	}
	e.okJSON(&res, "retry", "--all", "--topic", a, "--yes", "--rate", "100")
	if res.Action != "retry" || res.Succeeded != 3 || res.Failed != 0 || res.Refused != 1 || len(res.Results) != 3 ||
		len(res.Refusals) != 1 || res.Refusals[0].EventID != done || res.Refusals[0].Status != "retried" {
		t.Errorf("batch result: %+v", res)
	}
	keys := map[string]bool{}
	for _, rec := range e.consume(a, 3) {
		keys[string(rec.Key)] = true
	}
	for _, id := range ids {
		if !keys[id] {
			t.Errorf("no record keyed %s on %s", id, a)
		}
		if st := e.stored(id)["status"]; st != "retried" {
			t.Errorf("%s: status %v", id, st)
		}
	}
	if st := e.stored(other)["status"]; st != "pending" || e.recordCount(b) != 0 {
		t.Errorf("a message outside the filter was touched: %v", st)
	}
	// Now every message of the topic is finished: exit 4.
	e.wantExit(exitcode.InvalidState, runOpts{}, "retry", "--all", "--topic", a, "--yes")
	// A filter that matches nothing is not an error.
	r = e.run(runOpts{}, "retry", "--all", "--topic", e.topic("nothing_here"), "--yes")
	if r.Err != nil || !strings.Contains(r.Stderr, "No DLQ messages match") {
		t.Errorf("empty selection: %v %q", r.Err, r.Stderr)
	}
}

func TestE2EDiscard(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("pod_failed")
	ids := []string{uuid("disc-1"), uuid("disc-2"), uuid("disc-3")}
	for i, id := range ids {
		e.insert(msgSpec{id: id, typ: "pod_failed", status: "pending", failedAgo: time.Duration(i+1) * time.Minute, err: "x"})
	}
	before := e.allDocs()
	e.wantExit(exitcode.Usage, runOpts{}, "discard", ids[0])
	e.wantExit(exitcode.Usage, runOpts{}, "discard", ids[0], "--reason", " ")
	if !reflect.DeepEqual(before, e.allDocs()) {
		t.Fatal("a rejected discard changed documents")
	}

	r := e.run(runOpts{}, "discard", ids[0], "--reason", "fixed by hand")
	if r.Err != nil || !strings.Contains(r.Stderr, "Discarded 1 of 1 messages") {
		t.Fatalf("discard: %v\n%s", r.Err, r.Stderr)
	}
	doc := e.stored(ids[0])
	if doc["status"] != "discarded" || doc["discard_reason"] != "manual: fixed by hand" || doc["discarded_at"] == nil {
		t.Errorf("stored after discard: %v %v %v", doc["status"], doc["discard_reason"], doc["discarded_at"])
	}
	if n := e.recordCount(e.topic(dlq.EventDiscarded)); n != 1 {
		t.Errorf("%d dlq_message_discarded events, want 1", n)
	}

	// Bulk on a terminal: the summary, a yes, a progress line, the results.
	r = e.run(runOpts{tty: true, stdin: "y\n"}, "discard", "--all", "--topic", topic, "--reason", "feature removed")
	if r.Err != nil {
		t.Fatalf("bulk discard: %v\n%s", r.Err, r.Stderr)
	}
	for _, want := range []string{"About to discard 2 messages: 2 from " + topic + " (1 more refused", "Discard 2 messages? [y/N]",
		"Discarding", "Discarded 2 of 2 messages, 1 refused"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr should contain %q:\n%q", want, r.Stderr)
		}
	}
	if !strings.Contains(r.Stdout, ids[1][:shortIDLen]) || !strings.Contains(r.Stdout, "refused") {
		t.Errorf("result table:\n%s", r.Stdout)
	}
	for _, id := range ids[1:] {
		if got := e.stored(id)["discard_reason"]; got != "manual: feature removed" {
			t.Errorf("%s: discard_reason %v", id, got)
		}
	}
	if n := e.recordCount(topic); n != 0 {
		t.Errorf("discard must not publish the event: %d records on %s", n, topic)
	}
}

func TestE2EKafkaUnreachable(t *testing.T) {
	e := newEnv(t)
	ids := []string{uuid("down-1"), uuid("down-2")}
	for _, id := range ids {
		e.insert(msgSpec{id: id, typ: "execution_failed", status: "pending", failedAgo: time.Minute, err: "x"})
	}
	before := e.allDocs()
	e.Vars[config.EnvKafkaBrokers] = "127.0.0.1:1" // nothing listens there
	e.Vars[config.EnvTimeout] = "1s"
	r := e.wantExit(exitcode.Unavailable, runOpts{}, "retry", "--all", "--yes")
	if !strings.Contains(r.Err.Error(), "127.0.0.1:1") {
		t.Errorf("the error should name the brokers: %v", r.Err)
	}
	e.wantExit(exitcode.Unavailable, runOpts{}, "discard", ids[0], "--reason", "x")
	if !reflect.DeepEqual(before, e.allDocs()) {
		t.Error("nothing may change when Kafka is down")
	}
	// Reading needs no Kafka, and a dry run sends nothing.
	e.ok("list")
	e.ok("retry", "--all", "--dry-run")
}
