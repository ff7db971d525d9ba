package dlqcmd

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/testenv"
)

type jobJSON struct {
	JobID       string  `json:"job_id"`
	Kind        string  `json:"kind"`
	Status      string  `json:"status"`
	ToMove      int64   `json:"to_move"`
	Done        int64   `json:"done"`
	Rate        float64 `json:"rate"`
	Reason      string  `json:"reason"`
	RequestedBy string  `json:"requested_by"`
	CancelledBy string  `json:"cancelled_by"`
	Holder      struct {
		Epoch int64 `json:"epoch"`
	} `json:"holder"`
}

func (e *env) seedPending(prefix, typ string, n int) []string {
	e.t.Helper()
	ids := make([]string, n)
	specs := make([]msgSpec, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%s%04d-0000-4000-8000-000000000000", prefix, i)
		specs[i] = msgSpec{id: ids[i], typ: typ, status: "pending", err: "boom", failedAgo: time.Hour - time.Duration(i)*time.Millisecond}
	}
	e.insert(specs...)
	return ids
}

// `dlq retry --detach` counts and confirms like a retry, then creates a
// job (sending nothing) whose id it prints; list, show, run and watch
// follow it; `dlq jobs run` carries it out; the actor is its requester.
func TestDetachedRetryCreatesAJobThatRunFinishes(t *testing.T) {
	e := newEnv(t)
	e.Vars[config.EnvActor] = "ann@ops"
	ids := e.seedPending("aaaa", "pod_failed", 6)
	topic := e.topic("pod_failed")

	e.wantExit(exitcode.Usage, runOpts{}, "retry", "--all", "--detach", "--rate", "50")
	// Slower than a job may go: refused before anything is counted or stored.
	if r := e.wantExit(exitcode.Usage, runOpts{}, "retry", "--all", "--detach", "--rate", "0.2", "--yes"); !strings.Contains(r.Stderr, "stops within 2 s") {
		t.Errorf("a --detach rate below the minimum is refused without saying why:\n%s", r.Stderr)
	}
	var created jobJSON
	e.okJSON(&created, "retry", "--all", "--detach", "--rate", "50", "--reason", "consumer fixed", "--yes", "-o", "json")
	if created.JobID == "" || created.Kind != "retry" || created.Status != "pending" || created.ToMove != 6 ||
		created.Rate != 50 || created.Reason != "consumer fixed" || created.RequestedBy != "ann@ops" {
		t.Fatalf("created = %+v", created)
	}
	if n := testenv.CountRecords(t, testenv.Shared(t).KafkaBrokers(), topic); n != 0 {
		t.Fatalf("--detach sent %d records", n)
	}
	var listed []jobJSON
	e.okItems(&listed, "jobs", "list", "--status", "pending", "-o", "json")
	if len(listed) != 1 || listed[0].JobID != created.JobID {
		t.Fatalf("list = %+v", listed)
	}
	if out := e.ok("jobs", "show", created.JobID[:8]); !strings.Contains(out, "consumer fixed") || !strings.Contains(out, "To move") {
		t.Fatalf("show:\n%s", out)
	}
	var done jobJSON
	e.okJSON(&done, "jobs", "run", created.JobID[:8], "-o", "json")
	if done.Status != "completed" || done.Done != 6 || done.Holder.Epoch != 1 {
		t.Fatalf("run = %+v", done)
	}
	seen := map[string]int{}
	for _, r := range testenv.WaitRecords(t, testenv.Shared(t).KafkaBrokers(), 6, 30*time.Second, topic) {
		seen[string(r.Key)]++
	}
	testenv.AssertEachOnce(t, "records", ids, seen)
	var watched jobJSON
	e.okJSON(&watched, "jobs", "watch", created.JobID, "-o", "json")
	if watched.Status != "completed" {
		t.Fatalf("watch = %+v", watched)
	}
	e.wantExit(exitcode.InvalidState, runOpts{}, "jobs", "cancel", created.JobID)
}

// A pending job is cancelled by the command (exit 4 from watch), with the
// actor recorded; an unknown id is exit 3.
func TestCancelPendingJobAndWatchExitCode(t *testing.T) {
	e := newEnv(t)
	e.Vars[config.EnvActor] = "bob@ops"
	e.seedPending("bbbb", "pod_failed", 2)
	var created jobJSON
	e.okJSON(&created, "discard", "--all", "--detach", "--reason", "feature removed", "--yes", "-o", "json")
	if created.Kind != "discard" || created.ToMove != 2 {
		t.Fatalf("created = %+v", created)
	}
	var cancelled jobJSON
	e.okJSON(&cancelled, "jobs", "cancel", created.JobID, "--reason", "changed my mind", "-o", "json")
	if cancelled.Status != "cancelled" || cancelled.CancelledBy != "bob@ops" {
		t.Fatalf("cancel = %+v", cancelled)
	}
	e.wantExit(exitcode.InvalidState, runOpts{}, "jobs", "watch", created.JobID)
	e.wantExit(exitcode.NotFound, runOpts{}, "jobs", "show", "ffffffff")
}

// Job ids complete from their prefix, described by kind and status.
func TestJobIDsComplete(t *testing.T) {
	e := newEnv(t)
	e.seedPending("cccc", "pod_failed", 1)
	var created jobJSON
	e.okJSON(&created, "retry", "--all", "--detach", "--yes", "-o", "json")
	r := e.runRoot(runOpts{}, "__complete", "dlq", "jobs", "show", created.JobID[:4])
	if !strings.Contains(r.Stdout, created.JobID+"\tretry pending, 1 messages") {
		t.Fatalf("completion:\n%s", r.Stdout)
	}
}

// Ctrl-C on `dlq jobs run` releases the job at its next checkpoint: it is
// pending again, and a second run finishes it with each message sent once.
func TestCtrlCReleasesARunningJobToPending(t *testing.T) {
	e := newEnv(t)
	ids := e.seedPending("dddd", "pod_failed", 40)
	topic := e.topic("pod_failed")
	var created jobJSON
	e.okJSON(&created, "retry", "--all", "--detach", "--rate", "10", "--yes", "-o", "json")

	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	brokers := testenv.Shared(t).KafkaBrokers()
	go func() {
		testenv.Eventually(t, 60*time.Second, func() bool { return testenv.CountRecords(t, brokers, topic) >= 5 }, "5 sent")
		interrupt()
	}()
	r := e.run(runOpts{ctx: ctx}, "jobs", "run", created.JobID)
	if r.Code != exitcode.Interrupted || !strings.Contains(r.Stderr, "pending again") {
		t.Fatalf("interrupted run exited %d:\n%s", r.Code, r.Stderr)
	}
	var released jobJSON
	e.okJSON(&released, "jobs", "show", created.JobID, "-o", "json")
	if released.Status != "pending" || released.Done == 0 || released.Done >= 40 {
		t.Fatalf("after Ctrl-C: %+v", released)
	}
	var done jobJSON
	e.okJSON(&done, "jobs", "run", created.JobID, "-o", "json")
	if done.Status != "completed" || done.Done != 40 || done.Holder.Epoch != 2 {
		t.Fatalf("second run: %+v", done)
	}
	seen := map[string]int{}
	for _, rec := range testenv.WaitRecords(t, brokers, 40, 30*time.Second, topic) {
		seen[string(rec.Key)]++
	}
	testenv.AssertEachOnce(t, "records", ids, seen)
}
