package replaycmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/verify"
)

var createdRe = regexp.MustCompile(`Created session ([0-9a-f-]{36})`)

// createdID is the session id `replay run` announces on stderr.
func createdID(t *testing.T, stderr string) string {
	t.Helper()
	m := createdRe.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no session id in stderr:\n%s", stderr)
	}
	return m[1]
}

func (e *testEnv) verifyJSON(id string, code exitcode.Code) verify.Report {
	e.t.Helper()
	r := e.json("verify", id).Want(e.t, code)
	var rep verify.Report
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		e.t.Fatalf("verify -o json: %v\n%s", err, r.Stdout)
	}
	return rep
}

// A clean Kafka replay verifies: everything expected was delivered once,
// nothing missing or unexpected, exit 0; the summary is stored and shown.
func TestVerifyCleanKafkaReplay(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(30, "pod_created", "pod_running")
	id := createdID(t, e.run("run", "--type", "pod_created,pod_running").Want(t, exitcode.OK).Stderr)

	rep := e.verifyJSON(id, exitcode.OK)
	if rep.Expected != 30 || rep.Delivered != 30 || rep.RecordsRead != 30 || rep.Missing != 0 ||
		rep.Unexpected != 0 || rep.Duplicated != 0 || rep.Verdict != verify.VerdictOK || !rep.DuplicatesInWindows {
		t.Fatalf("report %+v", rep)
	}
	if rep.StoredBefore == "" || len(rep.Sources) == 0 || rep.SessionID != id || rep.Status != contract.StatusCompleted {
		t.Errorf("report lacks the bound, the sources or the session: %+v", rep)
	}
	// The topics did not exist when the session started: that is recorded
	// (empty start offsets), not a session without provenance.
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings for a session that recorded everything: %q", rep.Warnings)
	}
	raw := e.json("verify", id).Want(t, exitcode.OK).Stdout
	for _, field := range []string{`"expected": 30`, `"delivered": 30`, `"missing": 0`, `"missing_events": []`,
		`"duplicated": 0`, `"unexpected": 0`, `"duplicates_in_windows": true`, `"records_read": 30`, `"verdict": "ok"`} {
		if !strings.Contains(raw, field) {
			t.Errorf("-o json lacks %s:\n%s", field, raw)
		}
	}

	v := e.session(id).Replayctl.Verification
	if v == nil || v.Verdict != verify.VerdictOK || v.Expected != 30 || v.Delivered != 30 || v.VerifiedAt.IsZero() {
		t.Fatalf("stored verification %+v", v)
	}
	table := e.run("verify", id).Want(t, exitcode.OK).Stdout
	if !strings.Contains(table, "nothing missing or unexpected") || !strings.Contains(table, "Expected:") {
		t.Errorf("table:\n%s", table)
	}
	show := e.run("show", id).Want(t, exitcode.OK).Stdout
	if !strings.Contains(show, "Last verification") || !strings.Contains(show, "Verdict:") {
		t.Errorf("show lacks the last verification:\n%s", show)
	}
	if !strings.Contains(e.json("show", id).Want(t, exitcode.OK).Stdout, `"verification": {`) {
		t.Error("show -o json lacks the verification")
	}
}

// An event that cannot be delivered (its topic does not exist, the run
// allowed it and skipped the failure) verifies as missing 1, exit 6, and
// the report names it; `run --verify` folds that into its exit code.
func TestVerifyReportsAnUndeliverableEventAsMissing(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(10, "pod_created")
	lost := "lost-" + t.Name()
	e.insertEvents(eventDoc(lost, "pod_running", time.Now().UTC().Add(-90*time.Second), 99, ""))
	e.strictKafka("pod_created")

	r := e.run("run", "--allow-missing-topics", "--retry-attempts", "0", "--verify").Want(t, exitcode.Partial)
	if !strings.Contains(r.Stdout, lost) || !strings.Contains(r.Stdout, "Missing (1 of 1)") {
		t.Errorf("run --verify does not print the verification naming %s:\n%s", lost, r.Stdout)
	}
	id := createdID(t, r.Stderr)

	rep := e.verifyJSON(id, exitcode.Partial)
	if rep.Expected != 11 || rep.Delivered != 10 || rep.Missing != 1 || rep.Unexpected != 0 || rep.Verdict != verify.VerdictMismatch {
		t.Fatalf("report %+v", rep)
	}
	m := rep.MissingEvents
	if len(m) != 1 || m[0].EventID != lost || m[0].EventType != "pod_running" || m[0].Timestamp == nil {
		t.Fatalf("missing events %+v, want %s named with its type and time", m, lost)
	}
	table := e.run("verify", id).Want(t, exitcode.Partial)
	if !strings.Contains(table.Stdout, lost) || !strings.Contains(table.Stderr, "1 of 11 event(s) missing") {
		t.Errorf("table does not name the missing event:\n%s\n%s", table.Stdout, table.Stderr)
	}
}

// `run --verify -o json` prints one document, the run's summary with the
// verification in it, so a script can read stdout with one decode.
func TestRunVerifyJSONIsOneDocument(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(6, "pod_created")
	e.strictKafka("pod_created")
	out := e.json("run", "--type", "pod_created", "--verify").Want(t, exitcode.OK).Stdout
	dec := json.NewDecoder(strings.NewReader(out))
	var doc struct {
		ReplayedEvents int64          `json:"replayed_events"`
		Verification   *verify.Report `json:"verification"`
	}
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", out)
	}
	if doc.ReplayedEvents != 6 || doc.Verification == nil || doc.Verification.Expected != 6 || doc.Verification.Missing != 0 {
		t.Fatalf("summary %+v, verification %+v: want 6 replayed and verified", doc, doc.Verification)
	}
}

// A file target with one line removed after the run verifies as missing 1.
func TestVerifyFileTargetWithALineRemoved(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(12, "script_saved")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	id := createdID(t, e.run("run", "--type", "script_saved", "--target", "file", "--out", out, "--verify").Want(t, exitcode.OK).Stderr)
	if rep := e.verifyJSON(id, exitcode.OK); rep.Expected != 12 || rep.Delivered != 12 || rep.Missing != 0 {
		t.Fatalf("before the edit: %+v", rep)
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	removed, _ := json.Marshal(lines[4])
	var ev struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal([]byte(lines[4]), &ev); err != nil {
		t.Fatalf("line 5 %s: %v", removed, err)
	}
	edited := strings.Join(append(append([]string{}, lines[:4]...), lines[5:]...), "") + "not json\n"
	if err := os.WriteFile(out, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}

	rep := e.verifyJSON(id, exitcode.Partial)
	if rep.Expected != 12 || rep.Delivered != 11 || rep.Missing != 1 || rep.Unreadable != 1 || rep.Unexpected != 0 {
		t.Fatalf("after removing a line: %+v", rep)
	}
	if rep.MissingEvents[0].EventID != ev.EventID {
		t.Errorf("missing %+v, want %s", rep.MissingEvents, ev.EventID)
	}
}

// Verify refuses what it cannot check: a session that has not ended (exit
// 4), a dry run (exit 4); --verify with --detach is a usage error.
func TestVerifyRefusesUnfinishedAndDryRunSessions(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(5, "user_login")
	id := firstLine(e.run("create", "--type", "user_login").Want(t, exitcode.OK).Stdout)
	e.run("start", id, "--detach").Want(t, exitcode.OK)
	r := e.run("verify", id).Want(t, exitcode.InvalidState)
	if !strings.Contains(r.Stderr, "still running; verify after it ends") {
		t.Errorf("running: %s", r.Stderr)
	}
	e.run("start", id, "--detach", "--verify").Want(t, exitcode.Usage)

	dry := createdID(t, e.run("run", "--type", "user_login", "--dry-run").Want(t, exitcode.OK).Stderr)
	if r := e.run("verify", dry).Want(t, exitcode.InvalidState); !strings.Contains(r.Stderr, "dry run") {
		t.Errorf("dry run: %s", r.Stderr)
	}
}

// The run's query and verify apply the same bound, on insertion time: an
// event stored after the session first started (a second past it, the
// bound's resolution), whatever its timestamp, is neither replayed nor
// expected.
func TestVerifyExpectsNoEventStoredAfterFirstStart(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(6, "user_updated")
	id := createdID(t, e.run("run", "--type", "user_updated").Want(t, exitcode.OK).Stderr)
	later := func(d time.Duration, name string, ts time.Time) bson.D {
		doc := eventDoc(name+"-"+t.Name(), "user_updated", ts, 7, "")
		doc[0].Value = bson.NewObjectIDFromTimestamp(time.Now().Add(d))
		return doc
	}
	e.insertEvents(later(2*time.Second, "late-future", time.Now().UTC().Add(time.Minute)),
		later(3*time.Second, "late-past", time.Now().UTC().Add(-time.Hour)))

	rep := e.verifyJSON(id, exitcode.OK)
	if rep.Expected != 6 || rep.Missing != 0 {
		t.Fatalf("an event stored after the first start counted as expected: %+v", rep)
	}
}

// An event stored before the first start is in the selection even when
// its timestamp lies in the future: replayed, counted, expected.
func TestVerifyExpectsAFutureStampedEventStoredBeforeFirstStart(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(5, "user_updated")
	e.insertEvents(eventDoc("future-"+t.Name(), "user_updated", time.Now().UTC().Add(time.Hour), 5, ""))
	id := createdID(t, e.run("run", "--type", "user_updated").Want(t, exitcode.OK).Stderr)
	if s := e.session(id); s.ReplayedEvents != 6 || s.TotalEvents != 6 {
		t.Fatalf("want 6 of 6 replayed, got %d of %d", s.ReplayedEvents, s.TotalEvents)
	}
	rep := e.verifyJSON(id, exitcode.OK)
	if rep.Expected != 6 || rep.Missing != 0 || rep.Delivered != 6 {
		t.Fatalf("the future-stamped event is not expected and delivered: %+v", rep)
	}
}

// An event the run delivered and the store has since lost (TTL expiry, a
// deletion) is not unexpected: it is reported apart, with a warning, and
// does not fail the verification.
func TestVerifyReportsADeliveredEventNoLongerStoredApart(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(6, "user_updated")
	id := createdID(t, e.run("run", "--type", "user_updated").Want(t, exitcode.OK).Stderr)
	gone := "ev-" + t.Name() + "-0002"
	if res, err := e.store.Events.Collection().DeleteOne(context.Background(), bson.D{{Key: "event_id", Value: gone}}); err != nil || res.DeletedCount != 1 {
		t.Fatalf("delete %s: %v %+v", gone, err, res)
	}
	rep := e.verifyJSON(id, exitcode.OK)
	if rep.Unexpected != 0 || rep.NoLongerStored != 1 || len(rep.NoLongerStoredEvents) != 1 || rep.NoLongerStoredEvents[0].EventID != gone {
		t.Fatalf("want %s as no longer stored, not unexpected: %+v", gone, rep)
	}
	var warned, shrunk bool
	for _, w := range rep.Warnings {
		warned = warned || strings.Contains(w, "no longer in the event store")
		shrunk = shrunk || strings.Contains(w, "fewer than the 6")
	}
	if !warned || !shrunk {
		t.Errorf("warnings %q lack the no-longer-stored or the shrunk selection one", rep.Warnings)
	}
}

// A session that completed by max_events is checked up to where it
// stopped, not by counting max_events again: once an early event expires,
// counting would reach one event further and report it missing.
func TestVerifyBoundsAMaxEventsSessionByItsFinalCheckpoint(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(6, "user_updated")
	id := createdID(t, e.run("run", "--type", "user_updated", "--max-events", "3").Want(t, exitcode.OK).Stderr)
	first := "ev-" + t.Name() + "-0000"
	if res, err := e.store.Events.Collection().DeleteOne(context.Background(), bson.D{{Key: "event_id", Value: first}}); err != nil || res.DeletedCount != 1 {
		t.Fatalf("delete %s: %v %+v", first, err, res)
	}
	rep := e.verifyJSON(id, exitcode.OK)
	if rep.Expected != 2 || rep.Missing != 0 || rep.Unexpected != 0 || rep.NoLongerStored != 1 {
		t.Fatalf("want 2 expected, none missing, %s no longer stored: %+v", first, rep)
	}
}
