package uicmd_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	uicmd "github.com/integr8scode/replayctl/internal/cli/ui"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/integr8scode/replayctl/internal/wiring"
)

// runInBackground runs `replayctl args...` in a goroutine, as in another
// shell, and returns its result channel.
func (e *env) runInBackground(args ...string) <-chan clitest.Result {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	e.t.Cleanup(cancel)
	done := make(chan clitest.Result, 1)
	go func() { done <- e.RunWith(clitest.Term{}, ctx, args...) }()
	return done
}

func await(t *testing.T, done <-chan clitest.Result) clitest.Result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(opTimeout):
		t.Fatal("command did not return")
		return clitest.Result{}
	}
}

// streamingSession starts a rate-limited file replay of 60 events in the
// background and waits until a runner is streaming it.
func (e *env) streamingSession() (string, <-chan clitest.Result) {
	e.t.Helper()
	testenv.SeedEvents(e.t, e.st.Events.Collection(), "script_saved", 60)
	id := e.fileSession("script_saved", "10")
	done := e.runInBackground("replay", "start", id)
	testenv.Eventually(e.t, opTimeout, func() bool {
		s := e.session(id)
		return s.Status == contract.StatusRunning && s.ReplayedEvents > 0
	}, "session %s to run", id)
	return id, done
}

// countThenRetry asks the dashboard's actions for sel's count (want n),
// then retries it and returns the result line.
func countThenRetry(t *testing.T, e *env, sel dashboard.Selection, n int64) string {
	t.Helper()
	acts := uicmd.NewActions(e.f)
	if c, err := acts.Count(e.ctx(), sel); err != nil || c != n {
		t.Fatalf("count: %d, %v; want %d", c, err, n)
	}
	line, err := acts.Retry(e.ctx(), sel)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// The bar: a pause from the dashboard pauses a session a runner
// is streaming within 2 s of the confirmation, as MongoDB records it.
func TestPauseSessionPausesARunningSessionWithin2s(t *testing.T) {
	e := newEnv(t)
	id, done := e.streamingSession()
	acts := uicmd.NewActions(e.f)

	confirmed := time.Now()
	line, err := acts.PauseSession(e.ctx(), id[:8])
	if err != nil {
		t.Fatal(err)
	}
	for e.session(id).Status != contract.StatusPaused {
		if time.Since(confirmed) > 2*time.Second {
			t.Fatalf("session %s not paused 2s after the confirmation", id)
		}
		time.Sleep(20 * time.Millisecond) // polling MongoDB, bounded above
	}
	t.Logf("paused in MongoDB %v after the confirmation", time.Since(confirmed).Round(time.Millisecond))
	if !strings.HasPrefix(line, "Paused session "+id[:12]+" at event ") {
		t.Errorf("result line %q", line)
	}
	e.wantAudit(audit.ReplayPause, id)
	await(t, done).Want(t, 0)
	if s := e.session(id); s.Status != contract.StatusPaused || s.ReplayedEvents >= 60 {
		t.Errorf("after the runner stopped: %s, %d replayed", s.Status, s.ReplayedEvents)
	}
}

// Resume hands the session to a worker: it is running with nobody
// holding it, as `replay resume --detach` leaves it.
func TestResumeSessionHandsItToAWorker(t *testing.T) {
	e := newEnv(t)
	testenv.SeedEvents(t, e.st.Events.Collection(), "script_saved", 3)
	id := e.fileSession("script_saved", "100")
	e.Run("replay", "start", "--detach", id).Want(t, 0)
	e.Run("replay", "pause", id).Want(t, 0)
	acts := uicmd.NewActions(e.f)

	line, err := acts.ResumeSession(e.ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	if line != "Resumed session "+id[:12]+"; a worker will run it" {
		t.Errorf("result line %q", line)
	}
	if s := e.session(id); s.Status != contract.StatusRunning {
		t.Errorf("status %s, want running", s.Status)
	}
	live, _, err := e.st.Leases().LiveFor(e.ctx(), []string{id}, "run", time.Now(), 0)
	if err != nil || len(live) != 0 {
		t.Errorf("live run leases %v (%v): no runner may hold it in this process", live, err)
	}
	if r := e.wantAudit(audit.ReplayResume, id); r.Params["detach"] != "true" {
		t.Errorf("audit params %v", r.Params)
	}
}

func TestCancelSession(t *testing.T) {
	e := newEnv(t)
	testenv.SeedEvents(t, e.st.Events.Collection(), "script_saved", 3)
	id := e.fileSession("script_saved", "100")
	line, err := uicmd.NewActions(e.f).CancelSession(e.ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, "Cancelled session "+id[:12]) || e.session(id).Status != contract.StatusCancelled {
		t.Errorf("%q, status %s", line, e.session(id).Status)
	}
	e.wantAudit(audit.ReplayCancel, id)
}

// recordsByKey reads topic to its end and counts the records per key.
func (e *env) recordsByKey(topic string) map[string]int {
	seen := map[string]int{}
	for _, r := range testenv.ReadToEnd(e.t, testenv.Shared(e.t).KafkaBrokers(), topic) {
		seen[string(r.Key)]++
	}
	return seen
}

func TestRetrySendsTheMessageOnce(t *testing.T) {
	e := newEnv(t)
	id, other := testenv.UUID(), testenv.UUID()
	e.insertMsgs(e.msg(id, "execution_failed", "pending", "boom", time.Minute),
		e.msg(other, "execution_failed", "pending", "boom", time.Minute))
	acts := uicmd.NewActions(e.f)
	sel := dashboard.Selection{EventIDs: []string{id}}

	if line := countThenRetry(t, e, sel, 1); line != "Retried 1 of 1 messages" {
		t.Errorf("result line %q", line)
	}
	testenv.AssertEachOnce(t, "retried events", []string{id}, e.recordsByKey(e.topic("execution_failed")))
	if st := e.dlqStatus(id); st != "retried" {
		t.Errorf("status %s", st)
	}
	e.wantAudit(audit.DLQRetry, id)

	// A second retry is refused, as `dlq retry` refuses it, and sends nothing.
	if n, err := acts.Count(e.ctx(), sel); err != nil || n != 0 {
		t.Errorf("count after the retry: %d, %v", n, err)
	}
	if _, err := acts.Retry(e.ctx(), sel); exitcode.Of(err) != exitcode.InvalidState {
		t.Errorf("second retry: %v", err)
	}
	testenv.AssertEachOnce(t, "retried events", []string{id}, e.recordsByKey(e.topic("execution_failed")))
}

func TestDiscardRecordsTheReason(t *testing.T) {
	e := newEnv(t)
	id := testenv.UUID()
	e.insertMsgs(e.msg(id, "pod_failed", "scheduled", "boom", time.Minute))
	acts := uicmd.NewActions(e.f)
	if _, err := acts.Discard(e.ctx(), dashboard.Selection{EventIDs: []string{id}}, "  "); err == nil {
		t.Error("a discard without a reason was accepted")
	}
	line, err := acts.Discard(e.ctx(), dashboard.Selection{EventIDs: []string{id[:8]}}, "duplicate of ticket 81")
	if err != nil {
		t.Fatal(err)
	}
	if line != "Discarded 1 of 1 messages" {
		t.Errorf("result line %q", line)
	}
	var m struct {
		Status string `bson:"status"`
		Reason string `bson:"discard_reason"`
	}
	if err := e.st.DLQ.Collection().FindOne(e.ctx(), bson.D{{Key: "event.event_id", Value: id}}).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if m.Status != "discarded" || m.Reason != dlq.ManualReasonPrefix+"duplicate of ticket 81" {
		t.Errorf("stored %+v", m)
	}
	if r := e.wantAudit(audit.DLQDiscard, id); r.Reason != "duplicate of ticket 81" {
		t.Errorf("audit reason %q", r.Reason)
	}
}

// An error group's retry sends its pending and scheduled messages, each
// once, and leaves other groups and finished messages alone.
func TestRetryErrorGroup(t *testing.T) {
	e := newEnv(t)
	p1, p2, done, elsewhere := testenv.UUID(), testenv.UUID(), testenv.UUID(), testenv.UUID()
	e.insertMsgs(
		e.msg(p1, "execution_failed", "pending", "connection refused to 10.0.0.1:9092", 3*time.Minute),
		e.msg(p2, "pod_failed", "scheduled", "connection refused to 10.0.0.2:9092", 2*time.Minute),
		e.msg(done, "execution_failed", "retried", "connection refused to 10.0.0.3:9092", time.Minute),
		e.msg(elsewhere, "execution_failed", "pending", "timeout after 30s", time.Minute),
	)
	groups, err := e.source().ErrorGroups(e.ctx(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var pattern string
	for _, g := range groups {
		if strings.HasPrefix(g.Pattern, "connection refused") {
			pattern = g.Pattern
		}
	}
	if pattern == "" {
		t.Fatalf("no connection refused group in %+v", groups)
	}
	sel := dashboard.Selection{ErrorPattern: pattern}
	if line := countThenRetry(t, e, sel, 2); line != "Retried 2 of 2 messages" {
		t.Errorf("result line %q", line)
	}
	testenv.AssertEachOnce(t, "execution_failed", []string{p1}, e.recordsByKey(e.topic("execution_failed")))
	testenv.AssertEachOnce(t, "pod_failed", []string{p2}, e.recordsByKey(e.topic("pod_failed")))
	if st := e.dlqStatus(elsewhere); st != "pending" {
		t.Errorf("a message of another group is %s", st)
	}
	r := e.wantAudit(audit.DLQRetry, p1)
	if r.Filter["error_group"] != pattern || r.Matched == nil || *r.Matched != 2 {
		t.Errorf("audit selection %v matched %v", r.Filter, r.Matched)
	}
}

func TestCancelJob(t *testing.T) {
	e := newEnv(t)
	e.insertMsgs(e.msg(testenv.UUID(), "execution_failed", "pending", "boom", time.Minute))
	e.Run("dlq", "retry", "--all", "--status", "pending", "--detach", "--yes").Want(t, 0)
	jobs, err := e.source().Jobs(e.ctx(), 1)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs: %v, %v", jobs, err)
	}
	id := jobs[0].ID
	line, err := uicmd.NewActions(e.f).CancelJob(e.ctx(), id[:8])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, "Cancelled job "+id[:12]) {
		t.Errorf("result line %q", line)
	}
	var j dlqjob.Job
	if err := e.st.DLQJobs().Collection().FindOne(e.ctx(), bson.D{{Key: "_id", Value: id}}).Decode(&j); err != nil {
		t.Fatal(err)
	}
	if j.Status != dlqjob.StatusCancelled {
		t.Errorf("job status %s", j.Status)
	}
	e.wantAudit(audit.DLQJobCancel, id)
}

// editMsg seeds one pending message and opens it for editing.
func (e *env) editMsg() (string, *dashboard.EditSession, string) {
	e.t.Helper()
	id := testenv.UUID()
	e.insertMsgs(e.msg(id, "execution_failed", "pending", "boom", time.Minute))
	es, err := uicmd.NewActions(e.f).Edit(e.ctx(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	path := es.Cmd.Args[len(es.Cmd.Args)-1]
	if _, err := os.Stat(path); err != nil {
		e.t.Fatalf("the draft file: %v", err)
	}
	return id, es, path
}

func (e *env) storedUserID(id string) string {
	e.t.Helper()
	var m struct {
		Event struct {
			Metadata struct {
				UserID string `bson:"user_id"`
			} `bson:"metadata"`
		} `bson:"event"`
	}
	if err := e.st.DLQ.Collection().FindOne(e.ctx(), bson.D{{Key: "event.event_id", Value: id}}).Decode(&m); err != nil {
		e.t.Fatal(err)
	}
	return m.Event.Metadata.UserID
}

// The editor the factory names runs on the draft; Finish saves what it
// wrote through `dlq edit`'s path, audited, and removes the file.
func TestEditRunsTheEditorAndSaves(t *testing.T) {
	e := newEnv(t)
	e.Vars["EDITOR"] = `sed -i s/user-1/user-42/`
	ios, _, _ := clitest.Term{}.Streams()
	e.f = e.NewFactory(ios)
	t.Cleanup(e.f.Close)
	id, es, path := e.editMsg()

	if err := es.Cmd.Run(); err != nil {
		t.Fatalf("editor: %v", err)
	}
	line, err := es.Finish(e.ctx(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if line != "Edited message "+id[:12]+": 1 field changed" {
		t.Errorf("result line %q", line)
	}
	if got := e.storedUserID(id); got != "user-42" {
		t.Errorf("stored user_id %q", got)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the draft file is still there: %v", err)
	}
	e.wantAudit(audit.DLQEdit, id)
}

// An edit given up before its editor ran (the operator moved on) leaves
// no file behind.
func TestEditDiscardedRemovesTheDraft(t *testing.T) {
	e := newEnv(t)
	_, es, path := e.editMsg()
	es.Discard()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the draft file is still there: %v", err)
	}
}

// When the dashboard quits with edits neither saved nor given up (one was
// opening, one was being saved), the unchanged draft is removed and the
// changed one is kept and named with the command that stores it.
func TestDraftsLeftAtQuitAreRemovedOrNamed(t *testing.T) {
	e := newEnv(t)
	acts := uicmd.NewActions(e.f)
	var paths [2]string
	var ids [2]string
	for i := range paths {
		ids[i] = testenv.UUID()
		e.insertMsgs(e.msg(ids[i], "execution_failed", "pending", "boom", time.Minute))
		es, err := acts.Edit(e.ctx(), ids[i])
		if err != nil {
			t.Fatal(err)
		}
		paths[i] = es.Cmd.Args[len(es.Cmd.Args)-1]
	}
	if err := os.WriteFile(paths[1], []byte(`{"changed": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(paths[1]) })
	var out strings.Builder
	uicmd.CloseDrafts(acts, &out)
	if _, err := os.Stat(paths[0]); !os.IsNotExist(err) {
		t.Errorf("the unchanged draft is still there: %v", err)
	}
	if _, err := os.Stat(paths[1]); err != nil {
		t.Errorf("the changed draft was not kept: %v", err)
	}
	want := "replayctl dlq edit " + ids[1] + " --from-file " + paths[1]
	if got := out.String(); !strings.Contains(got, want) || strings.Contains(got, ids[0]) {
		t.Errorf("quit message %q, want it to name only the changed draft with %q", got, want)
	}
}

// An unchanged file cancels the edit: nothing stored, no audit record.
func TestEditUnchangedIsCancelled(t *testing.T) {
	e := newEnv(t)
	id, es, path := e.editMsg()
	line, err := es.Finish(e.ctx(), nil)
	if err != nil || line != "Edit of message "+id[:12]+" cancelled: nothing changed" {
		t.Errorf("%q, %v", line, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the draft file is still there: %v", err)
	}
	if recs := e.auditOf(audit.DLQEdit, id); len(recs) != 0 {
		t.Errorf("%d audit records of a cancelled edit", len(recs))
	}
}

// An edit the validation refuses stores nothing and keeps the file.
func TestEditRefusedKeepsTheFile(t *testing.T) {
	e := newEnv(t)
	id, es, path := e.editMsg()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), `"event_version": "1.0"`, `"event_version": 1`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(path) })
	_, err = es.Finish(e.ctx(), nil)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("refused edit: %v", err)
	}
	if _, serr := os.Stat(path); serr != nil {
		t.Errorf("the edit was not kept: %v", serr)
	}
	if got := e.storedUserID(id); got != "user-1" {
		t.Errorf("stored user_id %q", got)
	}
}

// On a cluster that does not create topics, resume refuses a session
// whose target topic is missing, as `replay resume --detach` does: the
// session stays paused and the audit record says it failed.
func TestResumeRefusesAMissingTopic(t *testing.T) {
	e := newEnv(t)
	strict := testenv.StrictKafka(t, 1, e.topic("other_topic"))
	e.Vars[config.EnvKafkaBrokers] = strings.Join(strict.ListenAddrs(), ",")
	e.Vars[config.EnvKafkaAutoCreateTopics] = "false"
	ios, _, _ := clitest.Term{}.Streams()
	e.f = e.NewFactory(ios)
	t.Cleanup(e.f.Close)
	testenv.SeedEvents(t, e.st.Events.Collection(), "script_saved", 3)
	id := strings.TrimSpace(e.Run("replay", "create", "--type", "script_saved").Want(t, 0).Stdout)
	if err := e.st.Sessions.Update(e.ctx(), id, bson.D{{Key: "status", Value: contract.StatusPaused}}); err != nil {
		t.Fatal(err)
	}

	_, err := uicmd.NewActions(e.f).ResumeSession(e.ctx(), id)
	var missing *replay.MissingTopicsError
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), e.topic("script_saved")) {
		t.Fatalf("resume onto a missing topic: %v", err)
	}
	if s := e.session(id); s.Status != contract.StatusPaused {
		t.Errorf("status %s, want paused", s.Status)
	}
	if recs := e.auditOf(audit.ReplayResume, id); len(recs) != 1 || recs[0].Outcome != audit.Failed {
		t.Errorf("audit records %+v", recs)
	}
}

// A group member the full decode rejects (a header value that is not a
// string) is reported as skipped; the readable members are still retried,
// as `dlq retry --all --error` does.
func TestRetryErrorGroupSkipsAnUnreadableMessage(t *testing.T) {
	e := newEnv(t)
	good, bad := testenv.UUID(), testenv.UUID()
	badDoc := e.msg(bad, "execution_failed", "pending", "broker gone at 10.0.0.9:9092", time.Minute)
	for i := range badDoc {
		if badDoc[i].Key == "headers" {
			badDoc[i].Value = bson.D{{Key: "trace", Value: int32(5)}}
		}
	}
	e.insertMsgs(e.msg(good, "execution_failed", "pending", "broker gone at 10.0.0.1:9092", 2*time.Minute), badDoc)
	sel := dashboard.Selection{ErrorPattern: dlq.NormalizeError("broker gone at 10.0.0.1:9092")}

	line, err := uicmd.NewActions(e.f).Retry(e.ctx(), sel)
	if err != nil {
		t.Fatalf("retry of the group: %v", err)
	}
	if !strings.HasPrefix(line, "Retried 1 of 1 messages") || !strings.Contains(line, "1 unreadable message skipped") {
		t.Errorf("result line %q", line)
	}
	testenv.AssertEachOnce(t, "retried events", []string{good}, e.recordsByKey(e.topic("execution_failed")))
	if st := e.dlqStatus(good); st != "retried" {
		t.Errorf("the readable member is %s", st)
	}
}

// An audit outcome that cannot be written is named in the action's result
// line, not printed to stderr, where it would tear the dashboard's screen.
func TestActionReportsALostAuditOutcomeInItsLine(t *testing.T) {
	e := newEnv(t)
	testenv.SeedEvents(t, e.st.Events.Collection(), "script_saved", 3)
	id := e.fileSession("script_saved", "100")
	ios, _, errOut := clitest.Term{}.Streams()
	f := e.NewFactory(ios)
	t.Cleanup(f.Close)
	s, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Connect(e.ctx(), wiring.StoreOptions(s))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var calls atomic.Int32
	f.Audit = func(context.Context) (*audit.Auditor, error) {
		// The second clock reading is Finish's: the trail goes away between
		// the intent and the outcome.
		return &audit.Auditor{Store: st, Actor: actor, Version: "test", Host: "h", Now: func() time.Time {
			if calls.Add(1) == 2 {
				_ = st.Close()
			}
			return time.Now()
		}}, nil
	}

	line, err := uicmd.NewActions(f).CancelSession(e.ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, "Cancelled session ") || !strings.Contains(line, "; warning: ") || !strings.Contains(line, "stays \"unknown\"") {
		t.Errorf("result line %q", line)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr got %q", errOut.String())
	}
}

// A group larger than an action can retry within its deadline is handed
// to a redrive job, audited as `dlq retry --all --detach` audits it; the
// action sends nothing itself.
func TestRetryOfALargeErrorGroupCreatesAJob(t *testing.T) {
	e := newEnv(t)
	n := dashboard.MaxSyncGroup + 1
	docs := make([]bson.D, n)
	ids := make([]string, n)
	for i := range docs {
		ids[i] = testenv.UUID()
		docs[i] = e.msg(ids[i], "execution_failed", "pending", "quota exceeded for tenant 42", time.Duration(i+1)*time.Second)
	}
	e.insertMsgs(docs...)
	sel := dashboard.Selection{ErrorPattern: dlq.NormalizeError("quota exceeded for tenant 42")}
	line := countThenRetry(t, e, sel, int64(n))
	jobs := testenv.FindAll[dlqjob.Job](t, e.st.DLQJobs().Collection(), bson.D{})
	if len(jobs) != 1 || jobs[0].Kind != dlqjob.KindRetry || jobs[0].ToMove != int64(n) {
		t.Fatalf("jobs %+v, want one retry job of %d messages", jobs, n)
	}
	want := fmt.Sprintf("Created retry job %s for %d messages; a worker carries it out", jobs[0].ID[:12], n)
	if line != want {
		t.Errorf("result line %q, want %q", line, want)
	}
	if st := e.dlqStatus(ids[0]); st != "pending" {
		t.Errorf("the action itself moved a message to %s", st)
	}
	r := e.wantAudit(audit.DLQJobCreate, jobs[0].ID)
	if r.Filter["error_group"] != sel.ErrorPattern || r.Matched == nil || *r.Matched != int64(n) || r.Params["kind"] != "retry" {
		t.Errorf("audit filter %v matched %v params %v", r.Filter, r.Matched, r.Params)
	}
}

// Resumes of Kafka sessions check topics with one producer the actions
// keep, not a new client per resume left open until the dashboard exits:
// a new client opens a connection, which starts with ApiVersions.
func TestResumesReuseOneKafkaClient(t *testing.T) {
	e := newEnv(t)
	strict := testenv.StrictKafka(t, 1, e.topic("script_saved"))
	var handshakes atomic.Int32
	strict.ControlKey(kmsg.ApiVersions.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		strict.KeepControl()
		handshakes.Add(1)
		return nil, nil, false
	})
	e.Vars[config.EnvKafkaBrokers] = strings.Join(strict.ListenAddrs(), ",")
	e.Vars[config.EnvKafkaAutoCreateTopics] = "false"
	ios, _, _ := clitest.Term{}.Streams()
	e.f = e.NewFactory(ios)
	t.Cleanup(e.f.Close)
	testenv.SeedEvents(t, e.st.Events.Collection(), "script_saved", 3)
	id := strings.TrimSpace(e.Run("replay", "create", "--type", "script_saved").Want(t, 0).Stdout)
	acts := uicmd.NewActions(e.f)

	var first int32
	for i := range 3 {
		if err := e.st.Sessions.Update(e.ctx(), id, bson.D{{Key: "status", Value: contract.StatusPaused}}); err != nil {
			t.Fatal(err)
		}
		if _, err := acts.ResumeSession(e.ctx(), id); err != nil {
			t.Fatalf("resume %d: %v", i+1, err)
		}
		if i == 0 {
			first = handshakes.Load()
		}
	}
	if n := handshakes.Load(); first == 0 || n != first {
		t.Errorf("ApiVersions: %d after the first resume, %d after the third; want the same client reused", first, n)
	}
}
