package e2e_test

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// insertPending stores n pending DLQ messages the way the platform writes
// them, failed on topic, and returns their event ids.
func (p *platform) insertPending(topic string, n int) []string {
	p.t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	ids := make([]string, n)
	docs := make([]any, n)
	for i := range n {
		ids[i] = testenv.UUID()
		docs[i] = bson.D{
			{Key: "event", Value: bson.D{
				{Key: "event_id", Value: ids[i]}, {Key: "event_type", Value: "user_login"}, {Key: "event_version", Value: "1.0"},
				{Key: "timestamp", Value: now.Add(-time.Hour)}, {Key: "aggregate_id", Value: nil},
				{Key: "metadata", Value: bson.D{
					{Key: "service_name", Value: "auth"}, {Key: "service_version", Value: "1.0"},
					{Key: "user_id", Value: "u1"}, {Key: "environment", Value: "production"},
				}},
			}},
			{Key: "original_topic", Value: topic}, {Key: "error", Value: "handler timed out after 30s"},
			{Key: "retry_count", Value: 0}, {Key: "failed_at", Value: now.Add(-time.Minute)},
			{Key: "status", Value: "pending"}, {Key: "producer_id", Value: "auth-consumer-1"},
			{Key: "created_at", Value: now}, {Key: "last_updated", Value: now},
			{Key: "next_retry_at", Value: nil}, {Key: "retried_at", Value: nil}, {Key: "discarded_at", Value: nil},
			{Key: "discard_reason", Value: nil}, {Key: "last_error", Value: nil},
			{Key: "dlq_offset", Value: nil}, {Key: "dlq_partition", Value: nil},
			{Key: "headers", Value: bson.D{}},
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := p.st.DLQ.Collection().InsertMany(ctx, docs); err != nil {
		p.t.Fatalf("insert %d DLQ messages: %v", n, err)
	}
	return ids
}

// testTwoOperatorsRetryAtOnce: two operators run the same bulk `dlq retry
// --all --yes` at the same moment. Each message is sent once in all, both
// commands exit with a documented code (0, or 4 when everything they chose
// had been taken by the other), and each message is retried once.
func testTwoOperatorsRetryAtOnce(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	const n = 60
	topic := p.prefix + "user_login"
	ids := p.insertPending(topic, n)

	// Paced so the two runs overlap for seconds, not by luck.
	cmds := make([]*exec.Cmd, 2)
	outs := make([]*bytes.Buffer, 2)
	for i := range cmds {
		cmds[i] = p.command("dlq", "retry", "--all", "--yes", "--rate", "30")
		outs[i] = &bytes.Buffer{}
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	codes := make([]int, 2)
	for i, c := range cmds {
		done := make(chan struct{})
		go func() { _ = c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(90 * time.Second):
			_ = c.Process.Kill()
			<-done
			t.Fatalf("operator %d still retrying after 90s:\n%s", i, outs[i])
		}
		codes[i] = c.ProcessState.ExitCode()
		t.Logf("operator %d exited %d (%d bytes of output):\n%s", i, codes[i], outs[i].Len(), lastLines(outs[i].String(), 3))
	}
	zero := 0
	for i, code := range codes {
		switch code {
		case 0:
			zero++
		case 4:
		default:
			t.Errorf("operator %d exited %d; want 0, or 4 when the other took every message", i, code)
		}
	}
	if zero == 0 {
		t.Errorf("neither operator exited 0: exits %v", codes)
	}

	testenv.AssertEachOnce(t, "redriven to "+topic, ids, p.keys(topic))
	docs, stored := p.dlqDocs()
	testenv.AssertEachOnce(t, "dlq_messages", ids, stored)
	for _, id := range ids {
		if d := docs[id]; d.Status != contract.DLQRetried || d.RetryCount != 1 || d.RetriedAt == nil {
			t.Errorf("DLQ message %s: status %s, retry_count %d, retried_at %v; want retried once", id, d.Status, d.RetryCount, d.RetriedAt)
		}
	}
	testenv.AssertEachOnce(t, "dlq_message_retried", ids, p.notified(dlq.EventRetried))
}

func lastLines(s string, n int) string {
	lines := bytes.Split(bytes.TrimSpace([]byte(s)), []byte("\n"))
	return string(bytes.Join(lines[max(len(lines)-n, 0):], []byte("\n")))
}
