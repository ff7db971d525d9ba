package dlqjob

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// Create counts what the rule selects (retryable, failed by creation),
// list and show find the job (by prefix too), and cancelling a pending job
// ends it at once; cancelling it again is a conflict.
func TestCreateListShowCancel(t *testing.T) {
	e := newEnv(t)
	s := e.service("op")
	topic := e.topic("pod_failed")
	e.seed("c", topic, 4)
	e.insert("c-done", topic, contract.DLQRetried, time.Now().Add(-time.Minute))
	e.insert("c-other", e.topic("other"), contract.DLQPending, time.Now().Add(-time.Minute))

	j, err := s.Create(ctxT(t), Spec{Kind: KindRetry, Filter: dlq.ListFilter{Topics: []string{topic}},
		Rate: 5, Reason: "consumer fixed", RequestedBy: "ann@host"})
	if err != nil {
		t.Fatal(err)
	}
	if j.ToMove != 4 || j.Status != StatusPending || j.RequestedBy != "ann@host" || j.Reason != "consumer fixed" {
		t.Fatalf("created %+v", j)
	}
	page, err := s.List(ctxT(t), []Status{StatusPending}, 0)
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != j.ID {
		t.Fatalf("list pending = %+v, %v", page, err)
	}
	if got := e.job(s, j.ID[:8]); got.ID != j.ID || got.Filter == nil || got.Filter.Topics[0] != topic {
		t.Fatalf("show by prefix = %+v", got)
	}
	got, outcome, err := s.Cancel(ctxT(t), j.ID[:8], "bob@host", "wrong topic")
	if err != nil || outcome != CancelApplied || got.Status != StatusCancelled {
		t.Fatalf("cancel = %+v, %s, %v", got, outcome, err)
	}
	stored := e.job(s, j.ID)
	if stored.Status != StatusCancelled || stored.CancelledBy != "bob@host" || stored.CancelReason != "wrong topic" || stored.FinishedAt == nil {
		t.Fatalf("stored after cancel = %+v", stored)
	}
	if _, _, err := s.Cancel(ctxT(t), j.ID, "bob@host", ""); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("second cancel: %v (kind %v), want conflict", err, fault.KindOf(err))
	}
	if page, _ := s.List(ctxT(t), []Status{StatusCancelled}, 0); len(page.Items) != 1 {
		t.Fatalf("list cancelled = %+v", page.Items)
	}
	if n := testenv.CountRecords(t, testenv.Shared(t).KafkaBrokers(), topic); n != 0 {
		t.Fatalf("a cancelled pending job sent %d records", n)
	}
}

// A job retries each selected message once, leaves those outside its rule
// alone (terminal, or failed after the job was created) and completes with
// done equal to the messages retried.
func TestRunRetriesEachSelectedMessageOnce(t *testing.T) {
	e := newEnv(t)
	s := e.service("w1")
	topic := e.topic("pod_failed")
	ids := e.seed("r", topic, 30)
	e.insert("r-retried", topic, contract.DLQRetried, time.Now().Add(-time.Minute))
	j, err := s.Create(ctxT(t), Spec{Kind: KindRetry, RequestedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	e.insert("r-later", topic, contract.DLQPending, time.Now().Add(time.Second))
	var checkpoints int
	done, err := s.Run(ctxT(t), j.ID, RunOptions{Progress: func(*Job) { checkpoints++ }})
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != StatusCompleted || done.Done != 30 || done.Failed != 0 || done.PossibleDuplicates != 0 {
		t.Fatalf("job = %+v", done.Counters)
	}
	testenv.AssertEachOnce(t, "retried records", ids, e.arrivals(topic, 30))
	if m := e.message("r-later"); m.Status != contract.DLQPending {
		t.Fatalf("a message that failed after the job was created is %s", m.Status)
	}
	stored := e.job(s, j.ID)
	if stored.Status != StatusCompleted || stored.Done != 30 || stored.StartedAt == nil || stored.FinishedAt == nil || stored.Holder.Epoch != 1 {
		t.Fatalf("stored = %+v", stored)
	}
	if checkpoints < 2 {
		t.Fatalf("%d checkpoints", checkpoints)
	}
}

// A job and a foreground `dlq retry` over the same messages at the same
// time send each message once between them: the claims exclude.
func TestJobRacingForegroundRetrySendsEachOnce(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("pod_failed")
	ids := e.seed("race", topic, 60)
	s := e.service("job-worker")
	j, err := s.Create(ctxT(t), Spec{Kind: KindRetry, Rate: 40, RequestedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	fg := e.manager("foreground")
	plan, err := fg.PlanByFilter(ctxT(t), dlq.ListFilter{Topics: []string{topic}}, "")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg     sync.WaitGroup
		job    *Job
		jobErr error
		res    *dlq.BatchResult
		fgErr  error
	)
	// The foreground retry starts once the job has sent its first chunk,
	// so the two really overlap.
	started := make(chan struct{})
	var once sync.Once
	wg.Go(func() {
		job, jobErr = s.Run(ctxT(t), j.ID, RunOptions{Progress: func(j *Job) {
			if j.Done > 0 {
				once.Do(func() { close(started) })
			}
		}})
		once.Do(func() { close(started) })
	})
	wg.Go(func() {
		<-started
		res, fgErr = fg.Retry(ctxT(t), plan, dlq.BatchOptions{Rate: 100})
	})
	wg.Wait()
	if jobErr != nil || fgErr != nil {
		t.Fatalf("job: %v; foreground: %v", jobErr, fgErr)
	}
	testenv.AssertEachOnce(t, "records", ids, e.arrivals(topic, 60))
	if job.Done+res.Succeeded != 60 || job.Failed+res.Failed != 0 {
		t.Fatalf("job done %d + foreground %d != 60 (job %+v)", job.Done, res.Succeeded, job.Counters)
	}
	if job.Done == 0 || res.Succeeded == 0 {
		t.Fatalf("no overlap: job sent %d, foreground %d", job.Done, res.Succeeded)
	}
	t.Logf("job sent %d, foreground %d, job refused %d", job.Done, res.Succeeded, job.Refused)
}

// A cancel request reaches a running holder, which stops sending within
// 2 s and ends the job cancelled; what it had not reached is untouched.
func TestCancelRunningJobStopsWithinTwoSeconds(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("pod_failed")
	const n = 100
	ids := e.seed("cx", topic, n)
	s := e.service("runner")
	j, err := s.Create(ctxT(t), Spec{Kind: KindRetry, Rate: 10, RequestedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	result := make(chan error, 1)
	go func() { _, err := s.Run(ctxT(t), j.ID, RunOptions{}); result <- err }()
	brokers := testenv.Shared(t).KafkaBrokers()
	testenv.Eventually(t, 30*time.Second, func() bool { return testenv.CountRecords(t, brokers, topic) >= 10 }, "10 records sent")

	_, outcome, err := e.service("operator").Cancel(ctxT(t), j.ID, "bob", "enough")
	if err != nil || outcome != CancelRequested {
		t.Fatalf("cancel = %s, %v", outcome, err)
	}
	asked := time.Now()
	var stoppedAt time.Time
	var last int64 = -1
	var status Status
	seen := map[Status]bool{}
	testenv.Eventually(t, 10*time.Second, func() bool {
		n := testenv.CountRecords(t, brokers, topic)
		if n != last {
			last, stoppedAt = n, time.Now()
		}
		if st := e.job(s, j.ID).Status; st != status {
			status = st
			seen[st] = true
			t.Logf("status %s after %v", st, time.Since(asked))
		}
		return status == StatusCancelled
	}, "job cancelled")
	// The chunk under way at the request (half a second of sends at this
	// rate) finishes while the job shows it is stopping.
	if !seen[StatusCancelling] {
		t.Errorf("the job never showed %s between the request and %s", StatusCancelling, StatusCancelled)
	}
	if err := <-result; err != nil {
		t.Fatalf("run: %v", err)
	}
	final := e.job(s, j.ID)
	if took := stoppedAt.Sub(asked); took > 2*time.Second {
		t.Fatalf("the last record arrived %v after the cancel request", took)
	}
	if sent := testenv.CountRecords(t, brokers, topic); sent != final.Done || final.Done >= n {
		t.Fatalf("records %d, done %d", sent, final.Done)
	}
	if final.CancelledBy != "bob" || final.CancelReason != "enough" {
		t.Fatalf("cancel stamp = %q %q", final.CancelledBy, final.CancelReason)
	}
	untouched := 0
	for _, m := range testenv.FindAll[contract.DLQMessage](t, e.st.DLQ.Collection(), bson.D{}) {
		if m.Status == contract.DLQPending && m.RetryCount == 0 && m.LastError == nil && m.LastUpdated == nil {
			untouched++
		}
	}
	_ = ids
	if int64(untouched) != n-final.Done {
		t.Fatalf("%d untouched messages, want %d", untouched, n-final.Done)
	}
}

// A holder that died mid-chunk left a journaled chunk with live claims
// under its epoch. The next holder, once the lease lapsed, takes those
// claims over at once, counts the messages still to send as possible
// duplicates and the ones the dead holder finished as done, and completes.
func TestTakeoverFinishesTheDeadHoldersChunk(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("pod_failed")
	ids := e.seed("tk", topic, 20)
	s := e.service("second")
	j, err := s.Create(ctxT(t), Spec{Kind: KindRetry, RequestedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	// The dead holder: epoch 1, lapsed; it journaled ids[0:5], claimed
	// them for 5 minutes, and marked the first two retried before dying.
	e.deadHolderChunk(j, ids[:5], ids[:2], bson.D{{Key: "status", Value: "retried"}, {Key: "retry_count", Value: 1}})

	done, err := s.Run(ctxT(t), j.ID, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != StatusCompleted || done.Done != 20 || done.PossibleDuplicates != 3 || done.Refused != 0 || done.Holder.Epoch != 2 {
		t.Fatalf("job = %s %+v epoch %d", done.Status, done.Counters, done.Holder.Epoch)
	}
	// The test's stand-in holder sent nothing, so each of the 18 arrives once.
	testenv.AssertEachOnce(t, "records", ids[2:], e.arrivals(topic, 18))
}

// A second holder is refused while the first one's lease is live.
func TestRunIsRefusedWhileAnotherHolderIsLive(t *testing.T) {
	e := newEnv(t)
	e.seed("h", e.topic("pod_failed"), 1)
	s := e.service("a")
	j, err := s.Create(ctxT(t), Spec{Kind: KindRetry, RequestedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.acquire(ctxT(t), j.ID, purposeRun, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.service("b").Run(ctxT(t), j.ID, RunOptions{})
	var held *HeldError
	if !errors.As(err, &held) || fault.KindOf(err) != fault.Conflict || !strings.Contains(err.Error(), "held by a") {
		t.Fatalf("second run: %v", err)
	}
	h.release(ctxT(t))
}

// deadHolderChunk leaves job j as a holder of epoch 1 does that died
// mid-chunk: its lease lapsed, chunk journaled as in flight and claimed
// for 5 minutes, and set applied to the messages handled before it died.
func (e *env) deadHolderChunk(j *Job, chunk, handled []string, set bson.D) {
	t := e.t
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	lease := store.LeaseDoc{SessionID: j.ID, Epoch: 1, Owner: "first", Purpose: purposeRun,
		AcquiredAt: now.Add(-time.Minute), RenewedAt: now.Add(-time.Minute), ExpiresAt: now.Add(-time.Second)}
	if err := e.st.DLQJobLeases().Insert(ctxT(t), &lease); err != nil {
		t.Fatal(err)
	}
	var claims []store.DLQClaim
	for _, id := range chunk {
		claims = append(claims, store.DLQClaim{ID: id + ":0", Key: id + ":0", EventID: id, Owner: "first",
			Token: "dead", Purpose: dlq.JobPurpose(j.ID, 1), ClaimedAt: now, ExpiresAt: now.Add(5 * time.Minute)})
	}
	if _, err := e.st.DLQClaims().Insert(ctxT(t), claims); err != nil {
		t.Fatal(err)
	}
	for _, id := range handled {
		if _, err := e.st.DLQ.Collection().UpdateOne(ctxT(t), bson.D{{Key: "event.event_id", Value: id}},
			bson.D{{Key: "$set", Value: set}}); err != nil {
			t.Fatal(err)
		}
	}
	end := e.message(chunk[len(chunk)-1])
	jobSet := bson.D{{Key: "status", Value: StatusRunning}, {Key: "holder", Value: Holder{Owner: "first", Epoch: 1}},
		{Key: "checkpoint", Value: Checkpoint{InFlight: chunk, InFlightEnd: &dlq.Position{FailedAt: end.FailedAt.UTC(), ID: end.ID}}}}
	if _, err := e.st.DLQJobs().Set(ctxT(t), j.ID, 0, jobSet); err != nil {
		t.Fatal(err)
	}
}

// A message of the dead holder's chunk that it retried and that then failed
// again (the platform stored it pending with a later failed_at) belongs to
// the DLQ processor's policy: the next holder counts it done and does not
// send it again.
func TestTakeoverLeavesMessagesThatFailedAgainAfterTheJob(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("pod_failed")
	ids := e.seed("rf", topic, 10)
	s := e.service("second")
	j, err := s.Create(ctxT(t), Spec{Kind: KindRetry, RequestedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	refailed := j.CreatedAt.Add(time.Second)
	e.deadHolderChunk(j, ids[:5], ids[:2], bson.D{{Key: "status", Value: "pending"}, {Key: "retry_count", Value: 1},
		{Key: "failed_at", Value: refailed}})

	done, err := s.Run(ctxT(t), j.ID, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != StatusCompleted || done.Done != 10 {
		t.Fatalf("job = %s %+v", done.Status, done.Counters)
	}
	for _, id := range ids[:2] {
		if m := e.message(id); m.Status != contract.DLQPending || m.RetryCount != 1 {
			t.Errorf("message %s failed again after the job and is now %s with retry_count %d; want it left pending at 1",
				id, m.Status, m.RetryCount)
		}
	}
	testenv.AssertEachOnce(t, "records", ids[2:], e.arrivals(topic, 8))
}

// A cancel asked of a holder that then died waits in the requests: the
// next holder applies it before sending anything, the job's own chunk
// included.
func TestWaitingCancelIsAppliedBeforeAnySend(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("pod_failed")
	ids := e.seed("wc", topic, 10)
	s := e.service("second")
	j, err := s.Create(ctxT(t), Spec{Kind: KindRetry, RequestedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	e.deadHolderChunk(j, ids[:5], nil, nil)
	if err := s.request(ctxT(t), j.ID, "bob", "stop it"); err != nil {
		t.Fatal(err)
	}
	done, err := s.Run(ctxT(t), j.ID, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != StatusCancelled || done.Done != 0 || done.CancelledBy != "bob" {
		t.Fatalf("job = %s by %q %+v; want cancelled by bob with nothing done", done.Status, done.CancelledBy, done.Counters)
	}
	if n := testenv.CountRecords(t, testenv.Shared(t).KafkaBrokers(), topic); n != 0 {
		t.Fatalf("%d records sent after a waiting cancel", n)
	}
}
