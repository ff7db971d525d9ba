package dlqcmd

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/exitcode"
)

// skippedIDs collects the _ids of a skipped list, checking the collection.
func skippedIDs(t *testing.T, coll string, skipped []skippedOut) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for _, s := range skipped {
		if s.Collection != coll || s.Error == "" {
			t.Errorf("skipped entry %+v, want collection %s and an error", s, coll)
		}
		ids[s.ID] = true
	}
	return ids
}

// An override document that cannot be read is listed in `policy list`'s
// skipped list and told on stderr in a table, not silently left out.
func TestE2EPolicyListReportsUnreadableOverride(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("pod_failed")
	e.ok("policy", "set", e.topic("execution_failed"), "--strategy", "manual")
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if _, err := e.st.Database().Collection("dlq_retry_policies").InsertOne(ctx, bson.D{{Key: "_id", Value: topic}, {Key: "max_retries", Value: "many"}}); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items   []policyEntryOut `json:"items"`
		Skipped []skippedOut     `json:"skipped"`
	}
	e.okJSON(&list, "policy", "list")
	if ids := skippedIDs(t, "dlq_retry_policies", list.Skipped); len(ids) != 1 || !ids[topic] {
		t.Errorf("skipped %+v, want %s", list.Skipped, topic)
	}
	if n := len(policyListOut{Items: list.Items}.of("override")); n != 1 {
		t.Errorf("%d overrides listed, want 1", n)
	}
	r := e.run(runOpts{tty: true}, "policy", "list")
	if r.Err != nil || !strings.Contains(r.Stderr, "1 document could not be read and was skipped; see --show-invalid") {
		t.Errorf("table policy list: %v\nstderr: %s", r.Err, r.Stderr)
	}
	r = e.run(runOpts{}, "policy", "list", "--show-invalid")
	if r.Err != nil || !strings.Contains(r.Stderr, "dlq_retry_policies "+topic+": ") {
		t.Errorf("policy list --show-invalid: %v\nstderr: %s", r.Err, r.Stderr)
	}
}

// `retry --all` and `discard --all` by filter say how many selected
// documents could not be read, instead of leaving them out unannounced.
func TestE2EBulkByFilterReportsUnreadable(t *testing.T) {
	e := newEnv(t)
	good, evStr, failedStr, retryStr := e.foreignMessages()
	want := map[string]bool{evStr.Hex(): true, failedStr.Hex(): true, retryStr.Hex(): true}

	r := e.run(runOpts{}, "discard", "--all", "--reason", "cleanup", "--dry-run")
	if r.Err != nil || !strings.Contains(r.Stderr, "3 documents could not be read and were skipped; see --show-invalid") {
		t.Errorf("discard --all --dry-run: %v\nstderr: %s", r.Err, r.Stderr)
	}
	var dry struct {
		Count   int          `json:"count"`
		Skipped []skippedOut `json:"skipped"`
	}
	e.okJSON(&dry, "discard", "--all", "--reason", "cleanup", "--dry-run")
	if ids := skippedIDs(t, "dlq_messages", dry.Skipped); dry.Count != 1 || len(ids) != 3 || !ids[evStr.Hex()] {
		t.Errorf("dry run: %+v", dry)
	}

	var res struct {
		Succeeded int64        `json:"succeeded"`
		Skipped   []skippedOut `json:"skipped"`
	}
	e.okJSON(&res, "discard", "--all", "--yes", "--reason", "cleanup")
	ids := skippedIDs(t, "dlq_messages", res.Skipped)
	if res.Succeeded != 1 || len(ids) != 3 {
		t.Errorf("discard --all: %+v", res)
	}
	for id := range want {
		if !ids[id] {
			t.Errorf("skipped lacks %s: %+v", id, res.Skipped)
		}
	}
	if st := e.stored(good)["status"]; st != "discarded" {
		t.Errorf("%s status %v", good, st)
	}
	// Nothing eligible is left (exit 4), but the unreadable ones are still told.
	r = e.run(runOpts{}, "retry", "--all", "--yes")
	if r.Code != exitcode.InvalidState || !strings.Contains(r.Stderr, "3 documents could not be read and were skipped") {
		t.Errorf("retry --all with nothing readable left: %v\nstderr: %s", r.Err, r.Stderr)
	}
}
