package replaycmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// platformSession is a replay_sessions document as the Python platform
// writes it: only the contract's fields, null filter fields, int32 counters.
func platformSession(id string, status contract.SessionStatus, created time.Time) bson.D {
	return bson.D{
		{Key: "session_id", Value: id},
		{Key: "replay_id", Value: "r-" + id},
		{Key: "status", Value: string(status)},
		{Key: "config", Value: bson.D{
			{Key: "replay_type", Value: "event_type"},
			{Key: "target", Value: "kafka"},
			{Key: "filter", Value: bson.D{
				{Key: "event_ids", Value: nil}, {Key: "execution_id", Value: nil}, {Key: "aggregate_id", Value: nil},
				{Key: "event_types", Value: bson.A{"notification_sent"}}, {Key: "exclude_event_types", Value: nil},
				{Key: "start_time", Value: nil}, {Key: "end_time", Value: nil},
				{Key: "user_id", Value: nil}, {Key: "service_name", Value: nil},
			}},
			{Key: "speed_multiplier", Value: 1.0},
			{Key: "preserve_timestamps", Value: false},
			{Key: "batch_size", Value: int32(100)},
			{Key: "max_events", Value: nil},
			{Key: "target_topics", Value: nil},
			{Key: "target_file_path", Value: nil},
			{Key: "skip_errors", Value: true},
			{Key: "retry_failed", Value: false},
			{Key: "retry_attempts", Value: int32(3)},
			{Key: "enable_progress_tracking", Value: true},
		}},
		{Key: "total_events", Value: int32(0)},
		{Key: "replayed_events", Value: int32(0)},
		{Key: "failed_events", Value: int32(0)},
		{Key: "skipped_events", Value: int32(0)},
		{Key: "created_at", Value: created},
		{Key: "started_at", Value: nil},
		{Key: "completed_at", Value: nil},
		{Key: "last_event_at", Value: nil},
		{Key: "errors", Value: bson.A{}},
		{Key: "created_by", Value: "admin@example.com"},
		{Key: "target_service", Value: nil},
		{Key: "error", Value: nil},
		{Key: "dry_run", Value: false},
		{Key: "triggered_executions", Value: bson.A{}},
	}
}

func (e *testEnv) insertSessions(docs ...any) {
	e.t.Helper()
	if _, err := e.store.Sessions.Collection().InsertMany(context.Background(), docs); err != nil {
		e.t.Fatalf("insert sessions: %v", err)
	}
}

// Platform-created sessions are driven by id prefix through every control
// verb; an ambiguous prefix lists candidates (2), an unknown one is 3.
func TestPlatformSessionControlByPrefix(t *testing.T) {
	e := newTestEnv(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := "aaaa1111-0000-4000-8000-000000000001"
	b := "aaaa2222-0000-4000-8000-000000000002"
	e.insertSessions(platformSession(a, contract.StatusCreated, now.Add(-time.Minute)), platformSession(b, contract.StatusCreated, now))

	amb := e.run("show", "aaaa").Want(t, exitcode.Usage)
	if !strings.Contains(amb.Stderr, a) || !strings.Contains(amb.Stderr, b) || !strings.Contains(amb.Stderr, "ambiguous") {
		t.Errorf("ambiguous prefix stderr:\n%s", amb.Stderr)
	}
	if r := e.run("pause", "bbbb").Want(t, exitcode.NotFound); !strings.Contains(r.Stderr, "bbbb") {
		t.Errorf("unknown id stderr:\n%s", r.Stderr)
	}

	if r := e.run("preview", "aaaa1").Want(t, 0); !strings.Contains(r.Stdout, "Preview of session "+a) || !strings.Contains(r.Stdout, "Matching events:     0") {
		t.Errorf("preview of platform session:\n%s", r.Stdout)
	}
	e.run("start", "aaaa1", "--detach").Want(t, 0)
	if s := e.session(a); s.Status != contract.StatusRunning || s.StartedAt == nil {
		t.Fatalf("after start --detach: %+v", s)
	}
	if r := e.run("pause", "aaaa1").Want(t, 0); !strings.Contains(r.Stdout, "Paused session "+a) {
		t.Errorf("pause stdout:\n%s", r.Stdout)
	}
	if r := e.run("pause", "aaaa1").Want(t, exitcode.InvalidState); !strings.Contains(r.Stderr, "paused") {
		t.Errorf("second pause stderr:\n%s", r.Stderr)
	}
	e.run("resume", "aaaa1", "--detach").Want(t, 0)
	if r := e.run("cancel", "aaaa1").Want(t, 0); !strings.Contains(r.Stdout, "it is now cancelled") {
		t.Errorf("cancel stdout:\n%s", r.Stdout)
	}
	if r := e.run("resume", "aaaa1").Want(t, exitcode.InvalidState); !strings.Contains(r.Stderr, "cancelled") {
		t.Errorf("resume of cancelled stderr:\n%s", r.Stderr)
	}
	if r := e.run("cancel", "aaaa2").Want(t, 0); !strings.Contains(r.Stdout, b) {
		t.Errorf("cancel of created:\n%s", r.Stdout)
	}

	show := e.run("show", "aaaa1").Want(t, 0)
	for _, want := range []string{"Status:      cancelled", "Created by:  admin@example.com", "Event types:  notification_sent",
		"Speed:                x1 (original gaps / 1)", "Last holder:", "Lease:             released"} {
		if !strings.Contains(show.Stdout, want) {
			t.Errorf("show of a platform session lacks %q:\n%s", want, show.Stdout)
		}
	}

	list := e.run("list", "--status", "cancelled").Want(t, 0)
	if !strings.Contains(list.Stdout, a) || !strings.Contains(list.Stdout, b) {
		t.Errorf("list --status cancelled:\n%s", list.Stdout)
	}
	if got := e.run("list", "--status", "running").Want(t, 0).Stdout; strings.Contains(got, "aaaa") {
		t.Errorf("list --status running shows cancelled sessions:\n%s", got)
	}
}

func TestCleanup(t *testing.T) {
	e := newTestEnv(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	old := now.Add(-10 * 24 * time.Hour)
	e.insertSessions(
		platformSession("c0000001-0000-4000-8000-000000000001", contract.StatusCompleted, old),
		platformSession("c0000002-0000-4000-8000-000000000002", contract.StatusFailed, old.Add(time.Hour)),
		platformSession("c0000003-0000-4000-8000-000000000003", contract.StatusRunning, old),
		platformSession("c0000004-0000-4000-8000-000000000004", contract.StatusCompleted, now),
	)

	dry := e.run("cleanup", "--older-than", "7d", "--dry-run").Want(t, 0)
	if !strings.Contains(dry.Stdout, "Would delete 2 ended session(s)") || !strings.Contains(dry.Stdout, "c0000001") || strings.Contains(dry.Stdout, "c0000003") {
		t.Errorf("dry run:\n%s", dry.Stdout)
	}
	refused := e.run("cleanup", "--older-than", "7d").Want(t, exitcode.Usage)
	if !strings.Contains(refused.Stderr, "--yes") {
		t.Errorf("refusal lacks the --yes hint:\n%s", refused.Stderr)
	}
	e.Term.TTY = true
	e.json("cleanup", "--older-than", "7d").Want(t, exitcode.Usage)
	e.Term.Stdin = "n\n"
	if r := e.run("cleanup", "--older-than", "7d").Want(t, exitcode.Error); !strings.Contains(r.Stderr, "Delete 2 ended replay session(s)") {
		t.Errorf("prompt:\n%s", r.Stderr)
	}
	e.Term = clitest.Term{}
	if n := len(e.json("list").Want(t, 0).Stdout); n == 0 {
		t.Fatal("no list output")
	}

	var v struct {
		DryRun   bool               `json:"dry_run"`
		Count    int                `json:"count"`
		Sessions []contract.Session `json:"sessions"`
	}
	decode(t, e.json("cleanup", "--older-than", "7d", "--yes").Want(t, 0).Stdout, &v)
	if v.DryRun || v.Count != 2 || len(v.Sessions) != 2 {
		t.Errorf("cleanup -o json = %+v", v)
	}
	left := e.run("list").Want(t, 0).Stdout
	if strings.Contains(left, "c0000001") || strings.Contains(left, "c0000002") || !strings.Contains(left, "c0000003") || !strings.Contains(left, "c0000004") {
		t.Errorf("after cleanup:\n%s", left)
	}
	if r := e.run("cleanup", "--older-than", "7d", "--yes").Want(t, 0); !strings.Contains(r.Stdout, "No ended sessions") {
		t.Errorf("second cleanup:\n%s", r.Stdout)
	}
}

// Confirming on a terminal deletes.
func TestCleanupConfirmed(t *testing.T) {
	e := newTestEnv(t)
	e.insertSessions(platformSession("d0000001-0000-4000-8000-000000000001", contract.StatusCancelled, time.Now().Add(-48*time.Hour)))
	e.Term = clitest.Term{TTY: true, Stdin: "yes\n"}
	r := e.run("cleanup", "--older-than", "1d").Want(t, 0)
	if !strings.Contains(r.Stdout, "Deleted 1 ended session(s)") || !strings.Contains(r.Stdout, "d0000001-000") {
		t.Errorf("confirmed cleanup:\n%s", r.Stdout)
	}
}
