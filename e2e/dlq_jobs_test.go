package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// jobWorkerArgs run only redrive jobs, with a lease long enough to ride out
// a loaded machine and short enough for a quick takeover.
var jobWorkerArgs = []string{"--replay=false", "--dlq=false", "--lease-ttl", "10s"}

// createJob runs `dlq retry --all --detach` and returns the job id.
func (p *platform) createJob(args ...string) string {
	p.t.Helper()
	r := p.cli(append([]string{"dlq", "retry", "--all", "--detach", "--yes", "-o", "json"}, args...)...)
	if r.code != 0 {
		p.t.Fatalf("dlq retry --detach exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	var out struct {
		JobID  string `json:"job_id"`
		ToMove int64  `json:"to_move"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.JobID == "" {
		p.t.Fatalf("dlq retry --detach printed %q: %v", r.stdout, err)
	}
	return out.JobID
}

// job reads a job document as stored.
func (p *platform) job(id string) *dlqjob.Job {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var j dlqjob.Job
	if err := p.st.DLQJobs().Collection().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&j); err != nil {
		p.t.Fatalf("read job %s: %v", id, err)
	}
	return &j
}

func (p *platform) messages() []contract.DLQMessage {
	p.t.Helper()
	return testenv.FindAll[contract.DLQMessage](p.t, p.st.DLQ.Collection(), bson.D{})
}

// testJobSurvivesSIGKILLedWorker: a 200-message retry job at --rate 40 is
// run by a worker killed with SIGKILL mid-way and finished by a second
// worker after the lease: every message is retried and on its topic, the
// only duplicates are messages the dead worker had in flight, they are
// counted, and the job completes with done equal to the messages retried.
func testJobSurvivesSIGKILLedWorker(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	const n = 200
	topic := p.prefix + "user_login"
	ids := p.insertPending(topic, n)
	id := p.createJob("--rate", "40", "--reason", "consumer fixed")

	w1 := p.startWorker("w1", jobWorkerArgs...)
	testenv.Eventually(t, 60*time.Second, func() bool { return p.job(id).Done >= 60 }, "the first worker retried 60")
	w1.stop(syscall.SIGKILL, 10*time.Second)
	crashed := p.job(id)
	inFlight := map[string]bool{}
	for _, e := range crashed.Checkpoint.InFlight {
		inFlight[e] = true
	}
	t.Logf("killed at done=%d with %d in flight (epoch %d)", crashed.Done, len(inFlight), crashed.Holder.Epoch)

	p.startWorker("w2", jobWorkerArgs...)
	testenv.Eventually(t, 90*time.Second, func() bool { return p.job(id).Status == dlqjob.StatusCompleted }, "job completed")
	final := p.job(id)

	seen := map[string]int{}
	for _, r := range testenv.WaitRecords(t, p.brokers, n, 30*time.Second, topic) {
		seen[string(r.Key)]++
	}
	dups := testenv.AssertEachAtLeastOnce(t, "retried records", ids, seen)
	for e, c := range seen {
		if c > 1 && !inFlight[e] {
			t.Errorf("%s arrived %d times but was not in flight at the crash", e, c)
		}
	}
	if int64(dups) > final.PossibleDuplicates {
		t.Errorf("%d duplicates, only %d counted as possible", dups, final.PossibleDuplicates)
	}
	retried := 0
	for _, m := range p.messages() {
		if m.Status == contract.DLQRetried && m.RetryCount == 1 {
			retried++
		}
	}
	if retried != n || final.Done != int64(retried) || final.Failed != 0 || final.Holder.Epoch < 2 {
		t.Fatalf("retried %d of %d; job done %d failed %d epoch %d", retried, n, final.Done, final.Failed, final.Holder.Epoch)
	}
	t.Logf("duplicates %d, possible duplicates %d", dups, final.PossibleDuplicates)
}

// testCancelledJobStopsSending: `dlq jobs cancel` stops a running job
// within 2 s; it ends cancelled (watch exits 4) and the messages it had
// not reached are untouched.
func testCancelledJobStopsSending(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	const n = 150
	topic := p.prefix + "user_login"
	p.insertPending(topic, n)
	id := p.createJob("--rate", "20")
	p.startWorker("w", jobWorkerArgs...)
	testenv.Eventually(t, 60*time.Second, func() bool { return testenv.CountRecords(t, p.brokers, topic) >= 20 }, "20 sent")

	r := p.cli("dlq", "jobs", "cancel", id[:8], "--reason", "wrong topic")
	if r.code != 0 || !strings.Contains(r.stderr, "stop") {
		t.Fatalf("cancel exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	asked := time.Now()
	var last int64 = -1
	var lastChange time.Time
	testenv.Eventually(t, 20*time.Second, func() bool {
		if c := testenv.CountRecords(t, p.brokers, topic); c != last {
			last, lastChange = c, time.Now()
		}
		return p.job(id).Status == dlqjob.StatusCancelled
	}, "job cancelled")
	// Keep looking for a while: nothing more may arrive.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if c := testenv.CountRecords(t, p.brokers, topic); c != last {
			last, lastChange = c, time.Now()
		}
		time.Sleep(200 * time.Millisecond)
	}
	if d := lastChange.Sub(asked); d > 2*time.Second {
		t.Errorf("a record arrived %v after the cancel", d)
	}
	final := p.job(id)
	untouched := 0
	for _, m := range p.messages() {
		if m.Status == contract.DLQPending && m.RetryCount == 0 && m.LastError == nil {
			untouched++
		}
	}
	if final.Done != last || untouched != n-int(final.Done) || final.CancelReason != "wrong topic" {
		t.Fatalf("sent %d, done %d, untouched %d of %d, reason %q", last, final.Done, untouched, n, final.CancelReason)
	}
	if w := p.cli("dlq", "jobs", "watch", id); w.code != 4 {
		t.Fatalf("watch of a cancelled job exited %d:\n%s", w.code, w.stderr)
	}
}
