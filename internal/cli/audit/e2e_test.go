package auditcmd_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestMain(m *testing.M) { clitest.Main(m) }

const (
	testActor   = "ana@ops"
	testVersion = "9.9.9-test"
	eventType   = "execution_requested"
)

// newEnv runs the whole command tree, as main does, with REPLAYCTL_ACTOR set.
func newEnv(t *testing.T) *clitest.Env {
	t.Helper()
	e := clitest.New(t, nil)
	e.Root = func(f *cmdutil.Factory) *cobra.Command {
		return cli.NewCmdRoot(f, version.Info{Version: testVersion})
	}
	e.Vars[config.EnvActor] = testActor
	return e
}

type auditList struct {
	Items   []audit.Record   `json:"items"`
	Total   int64            `json:"total"`
	Skipped []output.Skipped `json:"skipped"`
}

func list(e *clitest.Env, args ...string) auditList {
	var l auditList
	e.OKJSON(&l, append([]string{"audit", "list", "--limit", "500"}, args...)...)
	return l
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// seedDLQ stores pending DLQ messages in the platform's shape and returns
// their event ids.
func seedDLQ(t *testing.T, e *clitest.Env, n int) []string {
	t.Helper()
	now := time.Now().UTC().Add(-time.Minute)
	ids := make([]string, n)
	docs := make([]any, n)
	for i := range n {
		ids[i] = testenv.UUID()
		docs[i] = bson.D{
			{Key: "event", Value: bson.D{
				{Key: "event_id", Value: ids[i]}, {Key: "event_type", Value: eventType}, {Key: "event_version", Value: "1.0"},
				{Key: "timestamp", Value: now}, {Key: "aggregate_id", Value: "exec-1"},
				{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "execution-service"}, {Key: "service_version", Value: "2.1.0"},
					{Key: "user_id", Value: "user-1"}, {Key: "environment", Value: "production"}}},
			}},
			{Key: "original_topic", Value: e.Prefix + eventType},
			{Key: "error", Value: "boom"}, {Key: "retry_count", Value: int32(0)},
			{Key: "failed_at", Value: now}, {Key: "status", Value: "pending"},
			{Key: "producer_id", Value: "execution-service"}, {Key: "created_at", Value: now},
			{Key: "headers", Value: bson.D{}},
		}
	}
	if _, err := e.Store.DLQ.Collection().InsertMany(ctxT(t), docs); err != nil {
		t.Fatalf("seed DLQ: %v", err)
	}
	return ids
}

func dlqStatus(t *testing.T, e *clitest.Env, id string) string {
	t.Helper()
	var m struct {
		Status string `bson:"status"`
	}
	if err := e.Store.DLQ.Collection().FindOne(ctxT(t), bson.D{{Key: "event.event_id", Value: id}}).Decode(&m); err != nil {
		t.Fatalf("load DLQ message %s: %v", id, err)
	}
	return m.Status
}

func sessionStatus(t *testing.T, e *clitest.Env, id string) string {
	t.Helper()
	s, err := e.Store.Sessions.Resolve(ctxT(t), id)
	if err != nil {
		t.Fatalf("load session %s: %v", id, err)
	}
	return string(s.Status)
}

// want is what one record of the scripted session must say.
type want struct {
	action  string
	target  string
	reason  string
	outcome audit.Status
	counts  *audit.Counts
}

// TestScriptedSessionLeavesOneRecordPerMutatingCommand is the issue's
// "done when": a session of every changing command with REPLAYCTL_ACTOR
// set leaves exactly one record per command, with that actor, the reasons
// given and the right outcomes; dry runs and reads leave none.
func TestScriptedSessionLeavesOneRecordPerMutatingCommand(t *testing.T) {
	e := newEnv(t)
	testenv.SeedEvents(t, e.Store.Database().Collection("events"), eventType, 5)
	out := filepath.Join(t.TempDir(), "replay.jsonl")

	sid := strings.TrimSpace(e.OK("replay", "create", "--type", eventType, "--target", "file", "--out", out, "--reason", "r-create"))
	e.OK("replay", "start", sid, "--detach", "--reason", "r-start")
	e.OK("replay", "pause", sid, "--reason", "r-pause")
	e.OK("replay", "resume", sid, "--detach", "--reason", "r-resume")
	e.OK("replay", "cancel", sid, "--reason", "r-cancel")
	if got := sessionStatus(t, e, sid); got != "cancelled" {
		t.Fatalf("session %s is %s, want cancelled", sid, got)
	}
	// Neither a dry run nor a read is audited.
	e.OK("replay", "cleanup", "--older-than", "1h", "--dry-run")
	e.OK("replay", "list")
	real := time.Now
	e.Now = func() time.Time { return real().Add(2 * time.Hour) }
	e.OK("replay", "cleanup", "--older-than", "1h", "--yes", "--reason", "r-cleanup")
	e.Now = nil

	ids := seedDLQ(t, e, 3)
	e.OK("dlq", "discard", ids[0], "--reason", "r-discard")
	e.OK("dlq", "retry", ids[1], "--dry-run")
	// ids[0] is discarded now: it is refused beside two retries.
	e.OK("dlq", "retry", ids[0], ids[1], ids[2], "--yes", "--reason", "r-retry")
	if got := dlqStatus(t, e, ids[1]); got != "retried" {
		t.Fatalf("message %s is %s, want retried", ids[1], got)
	}
	topic := e.Prefix + eventType
	e.OK("dlq", "policy", "set", topic, "--strategy", "manual", "--reason", "r-set")
	e.OK("dlq", "policy", "unset", topic, "--reason", "r-unset")

	wants := []want{
		{audit.ReplayCreate, sid, "r-create", audit.OK, nil},
		{audit.ReplayStart, sid, "r-start", audit.OK, nil},
		{audit.ReplayPause, sid, "r-pause", audit.OK, nil},
		{audit.ReplayResume, sid, "r-resume", audit.OK, nil},
		{audit.ReplayCancel, sid, "r-cancel", audit.OK, nil},
		{audit.ReplayCleanup, sid, "r-cleanup", audit.OK, &audit.Counts{Succeeded: 1}},
		{audit.DLQDiscard, ids[0], "r-discard", audit.OK, &audit.Counts{Succeeded: 1}},
		{audit.DLQRetry, ids[1], "r-retry", audit.Partial, &audit.Counts{Succeeded: 2, Refused: 1}},
		{audit.DLQPolicySet, topic, "r-set", audit.OK, nil},
		{audit.DLQPolicyUnset, topic, "r-unset", audit.OK, nil},
	}
	got := list(e)
	if len(got.Items) != len(wants) || got.Total != int64(len(wants)) {
		t.Fatalf("%d records (total %d), want %d: %+v", len(got.Items), got.Total, len(wants), actions(got.Items))
	}
	// Newest first; the cleanup ran on a clock two hours ahead.
	byAction := map[string]audit.Record{}
	for i, r := range got.Items {
		if i > 0 && r.At.After(got.Items[i-1].At) {
			t.Errorf("record %d (%s at %s) is newer than the one before it", i, r.Action, r.At)
		}
		if _, dup := byAction[r.Action]; dup {
			t.Errorf("two %s records", r.Action)
		}
		byAction[r.Action] = r
	}
	for _, w := range wants {
		r, ok := byAction[w.action]
		if !ok {
			t.Errorf("no %s record; have %v", w.action, actions(got.Items))
			continue
		}
		checkRecord(t, r, w)
	}
	if r := byAction[audit.DLQRetry]; !slices.Contains(r.Targets, ids[0]) {
		t.Errorf("the retry's targets %v do not name the refused %s", r.Targets, ids[0])
	}
	checkIndexes(t, e)
}

// checkIndexes: the commands made the indexes audit list's queries use.
func checkIndexes(t *testing.T, e *clitest.Env) {
	t.Helper()
	cur, err := e.Store.Audit().Collection().Indexes().List(ctxT(t))
	if err != nil {
		t.Fatalf("list indexes: %v", err)
	}
	var have []struct {
		Key bson.D `bson:"key"`
	}
	if err := cur.All(ctxT(t), &have); err != nil {
		t.Fatal(err)
	}
	for _, spec := range store.AuditIndexes {
		found := false
		for _, h := range have {
			found = found || fmt.Sprint(h.Key) == fmt.Sprint(spec.Keys)
		}
		if !found {
			t.Errorf("no index %s on %s; have %v", spec.Describe(), store.AuditCollection, have)
		}
	}
}

func checkRecord(t *testing.T, r audit.Record, w want) {
	t.Helper()
	if r.Actor != testActor || r.Reason != w.reason || r.Outcome != w.outcome {
		t.Errorf("%s: actor %q reason %q outcome %q, want %q %q %q (error %q)", w.action, r.Actor, r.Reason, r.Outcome,
			testActor, w.reason, w.outcome, r.Error)
	}
	if !slices.Contains(r.Targets, w.target) {
		t.Errorf("%s: targets %v lack %s", w.action, r.Targets, w.target)
	}
	if w.counts != nil && (r.Counts == nil || *r.Counts != *w.counts) {
		t.Errorf("%s: counts %+v, want %+v", w.action, r.Counts, *w.counts)
	}
	if r.Version != testVersion || r.Host == "" || r.FinishedAt == nil || r.ID == "" {
		t.Errorf("%s: version %q host %q finished %v id %q", w.action, r.Version, r.Host, r.FinishedAt, r.ID)
	}
}

func actions(rs []audit.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Action + ":" + string(r.Outcome)
	}
	return out
}

// downAuditor is an audit trail whose MongoDB went away after connecting:
// the rest of the command still reaches the shared server directly.
func downAuditor(t *testing.T, e *clitest.Env) func(context.Context) (*audit.Auditor, error) {
	t.Helper()
	uri := testenv.Shared(t).MongoURI()
	proxy := testenv.MongoProxy(t, uri)
	st, err := store.Connect(ctxT(t), store.Options{URI: proxy.URI(uri), Database: e.Database, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("connect through the proxy: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	proxy.Down()
	return func(context.Context) (*audit.Auditor, error) {
		return &audit.Auditor{Store: st, Actor: testActor, Host: "h", Timeout: 2 * time.Second}, nil
	}
}

// When the intent cannot be written, a changing command exits 5, says
// why, and changes nothing: the session keeps its status and the DLQ
// message stays pending, with nothing sent.
func TestCommandWhoseIntentCannotBeWrittenDoesNotAct(t *testing.T) {
	e := newEnv(t)
	testenv.SeedEvents(t, e.Store.Database().Collection("events"), eventType, 3)
	sid := strings.TrimSpace(e.OK("replay", "create", "--type", eventType, "--target", "file",
		"--out", filepath.Join(t.TempDir(), "x.jsonl")))
	ids := seedDLQ(t, e, 1)

	auditor := downAuditor(t, e)
	e.Root = func(f *cmdutil.Factory) *cobra.Command {
		f.Audit = auditor
		return cli.NewCmdRoot(f, version.Info{Version: testVersion})
	}
	for _, args := range [][]string{
		{"replay", "cancel", sid, "--reason", "x"},
		{"replay", "start", sid, "--detach"},
		{"dlq", "retry", ids[0], "--reason", "x"},
		{"dlq", "discard", ids[0], "--reason", "x"},
		{"dlq", "policy", "set", e.Prefix + eventType, "--strategy", "manual"},
	} {
		r := e.WantExit(exitcode.Unavailable, args...)
		if !strings.Contains(r.Stderr, "cannot write the audit record") || !strings.Contains(r.Stderr, "nothing was done") {
			t.Errorf("%v: stderr does not say why:\n%s", args, r.Stderr)
		}
	}
	if got := sessionStatus(t, e, sid); got != "created" {
		t.Errorf("session is %s, want it still created", got)
	}
	if got := dlqStatus(t, e, ids[0]); got != "pending" {
		t.Errorf("DLQ message is %s, want it still pending", got)
	}
	if n := testenv.CountRecords(t, testenv.Shared(t).KafkaBrokers(), e.Prefix+eventType); n != 0 {
		t.Errorf("%d records sent to %s", n, e.Prefix+eventType)
	}
	if raw, err := e.Store.DLQPolicies().Get(ctxT(t), e.Prefix+eventType); err != nil || raw != nil {
		t.Errorf("a policy override was stored (%v)", err)
	}
	e.Root = func(f *cmdutil.Factory) *cobra.Command { return cli.NewCmdRoot(f, version.Info{Version: testVersion}) }
	if got := list(e); len(got.Items) != 1 || got.Items[0].Action != audit.ReplayCreate {
		t.Errorf("want only the create's record, have %v", actions(got.Items))
	}
}
