package replaycmd

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// The life of a file-target session: create, preview, start in the
// foreground to stdout, then list and show it, and refuse to pause or
// cancel it once completed.
func TestFileSessionLifecycle(t *testing.T) {
	e := newTestEnv(t)
	counts := e.seedEvents(60, "pod_created", "pod_failed", "execution_requested")
	want := counts["pod_created"] + counts["pod_failed"]

	id := firstLine(e.run("create", "--type", "pod_created,pod_failed", "--target", "file", "--out", "-").Want(t, 0).Stdout)
	if s := e.session(id); s.Status != contract.StatusCreated || s.Config.Target != contract.TargetFile {
		t.Fatalf("created session = %+v", s)
	}

	pv := e.run("preview", id[:8]).Want(t, 0)
	if !strings.Contains(pv.Stdout, "Matching events:     "+strconv.Itoa(want)) || !strings.Contains(pv.Stdout, "pod_failed") {
		t.Errorf("preview:\n%s", pv.Stdout)
	}

	run := e.run("start", id[:10]).Want(t, 0)
	lines := strings.Split(strings.TrimSpace(run.Stdout), "\n")
	if len(lines) != want {
		t.Fatalf("stdout has %d lines, want %d events:\n%s", len(lines), want, run.Stdout)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil || ev["event_type"] != "pod_created" || ev["_id"] != nil {
		t.Errorf("first line %q: %v", lines[0], err)
	}
	if !strings.Contains(run.Stderr, "✓ Session "+id+" completed: "+strconv.Itoa(want)+" replayed, 0 failed, 0 skipped") {
		t.Errorf("summary not on stderr:\n%s", run.Stderr)
	}

	list := e.run("list").Want(t, 0)
	if !strings.Contains(list.Stdout, id+"\tcompleted\tevent_type\tfile:-\t"+strconv.Itoa(want)+"/"+strconv.Itoa(want)+" 100%\t0\t") {
		t.Errorf("list:\n%s", list.Stdout)
	}
	show := e.run("show", id[:8]).Want(t, 0)
	for _, s := range []string{"Status:      completed", "Replayed:             " + strconv.Itoa(want), "Event types:  pod_created, pod_failed", "Event ID:"} {
		if !strings.Contains(show.Stdout, s) {
			t.Errorf("show lacks %q:\n%s", s, show.Stdout)
		}
	}

	for _, verb := range []string{"pause", "cancel", "start"} {
		r := e.run(verb, id).Want(t, exitcode.InvalidState)
		if !strings.Contains(r.Stderr, "completed") {
			t.Errorf("%s of a completed session: stderr %q does not name the status", verb, r.Stderr)
		}
	}
}

// -o json outputs decode into the documented shapes.
func TestJSONOutputs(t *testing.T) {
	e := newTestEnv(t)
	counts := e.seedEvents(30, "user_login", "user_logged_out")

	var created contract.Session
	decode(t, e.json("create", "--type", "user_login", "--dry-run").Want(t, 0).Stdout, &created)
	if created.SessionID == "" || created.Status != contract.StatusCreated || !created.DryRun || created.Config.ReplayType != contract.ReplayTypeEventType {
		t.Fatalf("create -o json = %+v", created)
	}

	var pv previewView
	decode(t, e.json("preview", "--type", "user_login", "--sample", "2").Want(t, 0).Stdout, &pv)
	topic := e.Prefix + "user_login"
	if pv.Total != int64(counts["user_login"]) || len(pv.Sample) != 2 || len(pv.ByType) != 1 || pv.ByType[0].Topic != topic ||
		pv.ByType[0].TopicExists == nil || *pv.ByType[0].TopicExists {
		t.Errorf("preview -o json = %+v", pv)
	}

	var sum summaryView
	decode(t, e.json("start", created.SessionID).Want(t, 0).Stdout, &sum)
	if sum.Outcome != "completed" || !sum.DryRun || sum.ReplayedEvents != int64(counts["user_login"]) || sum.Session == nil {
		t.Errorf("start -o json = %+v", sum)
	}
	if exists := topicExists(t, e, topic); exists {
		t.Errorf("a dry run created topic %s", topic)
	}

	var list struct {
		Items   []contract.Session `json:"items"`
		Total   int64              `json:"total"`
		Skipped []any              `json:"skipped"`
	}
	decode(t, e.json("list", "--status", "completed").Want(t, 0).Stdout, &list)
	if len(list.Items) != 1 || list.Items[0].SessionID != created.SessionID || list.Total != 1 || list.Skipped == nil {
		t.Errorf("list -o json = %+v", list)
	}
	var info struct {
		Session  *contract.Session `json:"session"`
		Holder   *holderView       `json:"holder"`
		Requests []requestView     `json:"requests"`
	}
	decode(t, e.json("show", created.SessionID).Want(t, 0).Stdout, &info)
	if info.Session == nil || info.Session.Status != contract.StatusCompleted || info.Holder == nil || info.Holder.Live || info.Requests == nil {
		t.Errorf("show -o json = %+v", info)
	}
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, s)
	}
}

func topicExists(t *testing.T, e *testEnv, topic string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Listing every topic: asking for one by name would auto-create it.
	topics, err := kadm.NewClient(e.kafka).ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return topics.Has(topic) && topics[topic].Err == nil
}

// run exits 0 when every event was sent, and the records carry provenance.
func TestRunCompletes(t *testing.T) {
	e := newTestEnv(t)
	counts := e.seedEvents(40, "result_stored", "result_failed")
	ok := e.run("run", "--type", "result_stored").Want(t, 0)
	if !strings.Contains(ok.Stdout, "completed: "+strconv.Itoa(counts["result_stored"])+" replayed, 0 failed") {
		t.Errorf("run stdout:\n%s", ok.Stdout)
	}
	if n := consume(t, e, e.Prefix+"result_stored", counts["result_stored"]); n != counts["result_stored"] {
		t.Errorf("consumed %d records, want %d", n, counts["result_stored"])
	}
}

// run exits 6 when some events could not be sent and 1 when the session
// failed (--fail-fast); watch of a failed session exits 1.
func TestRunFailureExitCodes(t *testing.T) {
	e := newTestEnv(t)
	// An event larger than any Kafka batch may be: it can never be sent.
	big := eventDoc("ev-big", "saga_failed", time.Now().UTC().Add(-30*time.Second), 999, strings.Repeat("x", 1200<<10))
	small := eventDoc("ev-small", "saga_failed", time.Now().UTC().Add(-20*time.Second), 1000, "ok")
	e.insertEvents(big, small)

	var sum summaryView
	partial := e.json("run", "--type", "saga_failed", "--retry-attempts", "0").Want(t, exitcode.Partial)
	decode(t, partial.Stdout, &sum)
	if sum.Status != contract.StatusCompleted || sum.FailedEvents != 1 || sum.ReplayedEvents != 1 || len(sum.Session.Errors) == 0 {
		t.Errorf("partial summary = %+v", sum)
	}
	if !strings.Contains(partial.Stderr, "1 failed event") {
		t.Errorf("partial stderr:\n%s", partial.Stderr)
	}

	failed := e.run("run", "--type", "saga_failed", "--retry-attempts", "0", "--fail-fast").Want(t, exitcode.Error)
	if !strings.Contains(failed.Stdout, "X Session") || !strings.Contains(failed.Stdout, "- event ev-big") || !strings.Contains(failed.Stderr, "failed") {
		t.Errorf("fail-fast run:\nstdout:\n%s\nstderr:\n%s", failed.Stdout, failed.Stderr)
	}
	id := sessionIDIn(t, failed.Stderr)
	e.run("watch", id).Want(t, exitcode.Error)
}

// sessionIDIn finds the id in run's "Created session ID" line.
func sessionIDIn(t *testing.T, stderr string) string {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		if id, ok := strings.CutPrefix(line, "Created session "); ok {
			return strings.TrimSpace(id)
		}
	}
	t.Fatalf("no session id in:\n%s", stderr)
	return ""
}

// consume waits until topic holds want records, then counts every record
// up to its end offsets (more than want means some went twice).
func consume(t *testing.T, e *testEnv, topic string, want int) int {
	t.Helper()
	recs := testenv.WaitRecords(t, testenv.Shared(t).KafkaBrokers(), want, 20*time.Second, topic)
	for _, r := range recs {
		if !hasHeader(r, "replayctl-session-id") {
			t.Errorf("record without provenance header: %+v", r.Headers)
		}
	}
	return len(recs)
}

func hasHeader(r *kgo.Record, key string) bool {
	for _, h := range r.Headers {
		if h.Key == key {
			return true
		}
	}
	return false
}
