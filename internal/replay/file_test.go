package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// readLines returns the event ids of a JSON Lines file, in order.
func readLines(t *testing.T, data []byte) []string {
	t.Helper()
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line is not a JSON object: %v: %q", err, sc.Text())
		}
		if _, ok := v["_id"]; ok {
			t.Fatalf("bookkeeping in line: %s", sc.Text())
		}
		ids = append(ids, v["event_id"].(string))
	}
	return ids
}

func checkOrder(t *testing.T, got []string, want []seeded) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].id {
			t.Fatalf("line %d is %s, want %s: each event exactly once, in order", i, got[i], want[i].id)
		}
	}
}

func TestFileTargetWritesJSONLinesInOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(25, "script_saved", "script_shared")
	out := filepath.Join(t.TempDir(), "replay.jsonl")
	if err := os.WriteFile(out, []byte("stale content\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	svc := &Service{Store: e.st, Owner: "file-runner"} // no Kafka needed
	sess := e.createStarted(svc, Spec{Target: "file", Out: out})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 25 {
		t.Fatalf("%s %+v", res.Outcome, res.Session)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, readLines(t, data), events)
	if off, _ := e.rawInt(sess.SessionID, "replayctl", "file_offset"); off != int64(len(data)) {
		t.Fatalf("file_offset %d, file size %d", off, len(data))
	}
}

// A runner that died after writing lines it never checkpointed left them in
// the file; the resumed run cuts them off, so each event appears once.
func TestFileTargetResumeTruncatesUncheckpointedLines(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(90, "notification_read")
	out := filepath.Join(t.TempDir(), "replay.jsonl")
	a, b := &Service{Store: e.st, Owner: "a"}, &Service{Store: e.st, Owner: "b"}
	sess := e.createStarted(a, Spec{Target: "file", Out: out, Rate: 60})
	ra := startRun(t, a, sess.SessionID, RunOptions{})
	testenv.Eventually(t, 30*time.Second, func() bool { return ra.replayed.Load() >= 10 }, "the run to get going")
	if _, err := b.Pause(ctxT(t, 30*time.Second), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	ra.wait(t)
	f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"event_id":"written-after-the-checkpoint"}` + "\n" + `{"event_id":"half a li`)
	_ = f.Close()

	if _, err := b.Resume(ctxT(t, time.Minute), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	if res := mustRun(t, b, sess.SessionID, RunOptions{}); res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 90 {
		t.Fatalf("%s %+v", res.Outcome, res.Session)
	}
	data, _ := os.ReadFile(out)
	checkOrder(t, readLines(t, data), events)
}

func TestStdoutTarget(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(8, "auth_failed")
	svc := &Service{Store: e.st, Owner: "cli"}
	sess := e.createStarted(svc, Spec{Target: "file", Out: "-"})
	var buf bytes.Buffer
	res := mustRun(t, svc, sess.SessionID, RunOptions{Stdout: &buf})
	if res.Outcome != OutcomeCompleted {
		t.Fatal(res.Outcome)
	}
	checkOrder(t, readLines(t, buf.Bytes()), events)
	want, _ := contract.AppendEventJSON(nil, e.rawEvent(events[0].id), nil)
	var got, exp map[string]any
	_ = json.Unmarshal(bytes.SplitN(buf.Bytes(), []byte("\n"), 2)[0], &got)
	_ = json.Unmarshal(want, &exp)
	delete(got, "timestamp")
	delete(exp, "timestamp")
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if !bytes.Equal(gb, eb) {
		t.Fatalf("line differs from the Kafka value JSON:\n%s\n%s", gb, eb)
	}
}

func TestFileTargetThatCannotBeOpenedFailsTheSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(2, "auth_failed")
	svc := &Service{Store: e.st, Owner: "cli"}
	sess := e.createStarted(svc, Spec{Target: "file", Out: filepath.Join(t.TempDir(), "missing-dir", "x.jsonl")})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeFailed || res.Session.Error == nil || len(res.Session.Errors) != 1 {
		t.Fatalf("%s %+v", res.Outcome, res.Session)
	}
}
