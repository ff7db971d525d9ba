package dlqjob

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/wait"
)

// RunOptions tune Run.
type RunOptions struct {
	// Progress is called after every checkpoint with the job as written.
	Progress func(*Job)
}

// ErrReleased is returned when the caller's context ended the run: the
// job went back to pending at its last checkpoint for the next holder.
var ErrReleased = errors.New("released: the job is pending again and resumes from its checkpoint")

// ErrLostLease is returned when the holder's lease lapsed: it stopped
// without writing, and another holder may take the job over.
var ErrLostLease = errors.New("the job's lease lapsed; another holder may take it over")

// requestPoll is how often a holder looks for a cancel request: well
// inside the 2 s within which a cancelled job must stop sending.
const requestPoll = 400 * time.Millisecond

// Run holds the job and carries it out until it ends, is cancelled, or ctx
// ends (ErrReleased). A live holder elsewhere is a conflict (HeldError).
func (s *Service) Run(ctx context.Context, idOrPrefix string, o RunOptions) (*Job, error) {
	j, err := s.Get(ctx, idOrPrefix)
	if err != nil {
		return nil, err
	}
	if _, err := Next(j.Status, EventStart); err != nil {
		return j, err
	}
	h, err := s.acquire(ctx, j.ID, purposeRun, s.ttl())
	if err != nil {
		return j, err
	}
	defer h.release(ctx)
	// Re-read under the lease: the previous holder's last checkpoint.
	if j, err = s.Get(ctx, j.ID); err != nil {
		return nil, err
	}
	if _, err := Next(j.Status, EventStart); err != nil {
		return j, err
	}
	renewCtx, stopRenew := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRenew()
	go h.renewLoop(renewCtx)
	r := &run{s: s, h: h, j: j, o: o}
	return r.j, r.go_(ctx, renewCtx)
}

// run is one holder's pass over a job.
type run struct {
	s *Service
	h *holder
	j *Job
	o RunOptions

	sender    *dlq.JobSender
	cancelled atomic.Pointer[string] // "who\x00why" once a cancel request is seen
	// writeMu keeps this holder's own writes to the job one at a time: the
	// request watcher writes `cancelling` while the loop checkpoints, and
	// the embedded server's updates are not atomic.
	writeMu sync.Mutex
	ended   bool // under writeMu: end() wrote the job's last status
}

func (r *run) go_(ctx, ioCtx context.Context) error {
	if err := r.start(ioCtx); err != nil {
		return err
	}
	if r.j.Status == StatusCancelling {
		return r.finishCancel(ioCtx)
	}
	sender, err := r.s.DLQ.NewJobSender(dlq.JobPurpose(r.j.ID, r.h.epoch()), r.j.ToTopic, r.j.Reason, r.j.Rate)
	if err != nil {
		return r.fail(ioCtx, err)
	}
	r.sender = sender
	// A request already waiting (asked of a holder that then died or was
	// released) is applied before anything is sent.
	if req, err := r.s.cancelRequest(ioCtx, r.j.ID); err == nil && req != nil {
		who := req.RequestedBy
		r.cancelled.Store(&who)
		_, err := r.interrupted(ctx, ioCtx)
		return err
	}
	pollCtx, stopPoll := context.WithCancel(ioCtx)
	var watcher sync.WaitGroup
	watcher.Add(1)
	go func() {
		defer watcher.Done()
		r.watchRequests(pollCtx)
	}()
	// The watcher writes to the job: it must be gone before the holder
	// returns and its lease is released.
	defer watcher.Wait()
	defer stopPoll()
	return r.loop(ctx, ioCtx)
}

// start records this holder and epoch on the job.
func (r *run) start(ctx context.Context) error {
	now := r.s.now()
	to, _ := Next(r.j.Status, EventStart)
	r.j.Status = to
	r.j.Holder = Holder{Owner: r.s.owner(), Epoch: r.h.epoch(), Since: &now}
	set := bson.D{{Key: "status", Value: to}, {Key: "holder", Value: r.j.Holder}}
	if r.j.StartedAt == nil {
		r.j.StartedAt = &now
		set = append(set, bson.E{Key: "started_at", Value: now})
	}
	return r.write(ctx, set)
}

// write applies set to the job under this holder's epoch.
func (r *run) write(ctx context.Context, set bson.D) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return r.writeLocked(ctx, set)
}

func (r *run) writeLocked(ctx context.Context, set bson.D) error {
	if !r.h.valid() {
		return fmt.Errorf("%w (by this holder's clock)", ErrLostLease)
	}
	ok, err := r.s.Store.DLQJobs().Set(ctx, r.j.ID, r.h.epoch(), set)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w (a later holder has written the job)", ErrLostLease)
	}
	return nil
}

func (r *run) watchRequests(ctx context.Context) {
	for {
		req, err := r.s.cancelRequest(ctx, r.j.ID)
		if err == nil && req != nil {
			who := req.RequestedBy
			r.markCancelling(ctx)
			// Only now may the loop write `cancelled`: never before
			// `cancelling`, which would otherwise overwrite it.
			r.cancelled.Store(&who)
			return
		}
		if wait.Sleep(ctx, requestPoll) != nil {
			return
		}
	}
}

// chunkSize keeps a chunk to about half a second of sends, so a cancel
// request or Ctrl-C is honoured within a second, and checkpoints come at
// least every 2 s. Without a rate it starts at minChunk (see nextChunk).
func chunkSize(rate float64) int {
	if rate <= 0 {
		return minChunk
	}
	return min(max(int(rate/2), 1), 100)
}

// Unpaced chunks are sized to take about chunkTarget, between minChunk and
// maxChunk: on MongoDB they grow to the maximum. On the embedded server,
// where every status update scans dlq_messages, a chunk has a large fixed
// cost, so smaller chunks than minChunk would cut throughput several times
// over (measured: 50-message chunks ran at 0.33x of a foreground retry, 10
// to 50 at 0.15x); there a checkpoint comes once per chunk, seconds apart.
const (
	chunkTarget = 2 * time.Second
	minChunk    = 100
	maxChunk    = 500
)

func nextChunk(rate float64, size int, took time.Duration) int {
	if rate > 0 || took <= 0 {
		return size
	}
	next := int(float64(size) * chunkTarget.Seconds() / took.Seconds())
	return min(max(next, minChunk, size/2), maxChunk, size*2)
}

func (r *run) loop(ctx, ioCtx context.Context) error {
	if err := r.resumeInFlight(ioCtx); err != nil {
		return r.stopOnError(ioCtx, err)
	}
	scan, err := r.s.DLQ.ScanForJob(ioCtx, r.j.selection(), r.j.Checkpoint.After)
	if err != nil {
		return r.stopOnError(ioCtx, err)
	}
	defer scan.Close(ioCtx)
	size := chunkSize(r.j.Rate)
	for {
		if stop, err := r.interrupted(ctx, ioCtx); stop {
			return err
		}
		skippedBefore := scan.Skipped
		msgs, last, err := scan.Next(ioCtx, size)
		if err != nil {
			return r.stopOnError(ioCtx, err)
		}
		r.j.Unreadable += scan.Skipped - skippedBefore
		if last == nil {
			return r.complete(ioCtx)
		}
		began := time.Now()
		if err := r.chunk(ioCtx, msgs, last); err != nil {
			return r.stopOnError(ioCtx, err)
		}
		size = nextChunk(r.j.Rate, size, time.Since(began))
	}
}

// markCancelling shows the job as `cancelling` while the chunk under way
// finishes. A failure only costs that display: the loop still stops and
// writes `cancelled`.
func (r *run) markCancelling(ctx context.Context) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.ended || !r.h.valid() {
		return // the job ended meanwhile, or is no longer surely ours
	}
	set := bson.D{{Key: "status", Value: StatusCancelling}}
	if _, err := r.s.Store.DLQJobs().Set(ctx, r.j.ID, r.h.epoch(), set); err != nil {
		r.s.log().Warn("mark the job cancelling", "job_id", r.j.ID, "error", err)
	}
}

// interrupted handles a cancel request, the caller's Ctrl-C or shutdown,
// and a lapsed lease, between chunks.
func (r *run) interrupted(ctx, ioCtx context.Context) (bool, error) {
	switch {
	case r.cancelled.Load() != nil:
		// The watcher wrote `cancelling`; the holder has stopped sending
		// now, so the job ends `cancelled`.
		if to, err := Next(r.j.Status, EventCancel); err == nil {
			r.j.Status = to
		}
		return true, r.finishCancel(ioCtx)
	case ctx.Err() != nil:
		return true, r.release(ioCtx)
	case !r.h.valid():
		return true, fmt.Errorf("%w (by this holder's clock)", ErrLostLease)
	}
	return false, nil
}

// chunk journals the chunk, sends it and counts the outcome. The journal
// comes first: a holder that takes over after a crash finishes exactly
// this chunk before reading on.
func (r *run) chunk(ctx context.Context, msgs []contract.DLQMessage, last *dlq.Position) error {
	ids := make([]string, len(msgs))
	for i := range msgs {
		ids[i] = msgs[i].EventID()
	}
	r.j.Checkpoint.InFlight, r.j.Checkpoint.InFlightEnd = ids, last
	if err := r.checkpoint(ctx); err != nil {
		return err
	}
	if err := r.send(ctx, msgs); err != nil {
		return err
	}
	r.j.Checkpoint = Checkpoint{After: last}
	return nil
}

// send runs one chunk through the DLQ manager's claims and counts it.
func (r *run) send(ctx context.Context, msgs []contract.DLQMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	if !r.h.valid() {
		return fmt.Errorf("%w (by this holder's clock)", ErrLostLease)
	}
	var (
		res *dlq.BatchResult
		err error
	)
	if r.j.Kind == KindDiscard {
		res, err = r.sender.Discard(ctx, msgs)
	} else {
		res, err = r.sender.Retry(ctx, msgs)
	}
	if res != nil {
		r.count(res)
	}
	return err
}

func (r *run) count(res *dlq.BatchResult) {
	now := r.s.now()
	var dups int64
	var errs []JobError
	for _, it := range res.Results {
		if it.TakenOver {
			dups++
		}
		if !it.OK {
			errs = append(errs, JobError{At: now, EventID: it.EventID, Error: it.Error})
		}
	}
	r.j.Done += res.Succeeded
	r.j.Failed += res.Failed
	r.j.Refused += res.Refused
	r.j.PossibleDuplicates += dups
	r.j.addErrors(errs...)
	r.metric(ResultDone, res.Succeeded)
	r.metric(ResultFailed, res.Failed)
	r.metric(ResultRefused, res.Refused)
	r.metric(ResultPossibleDuplicate, dups)
}

func (r *run) metric(result string, n int64) {
	if r.s.Metrics != nil && n > 0 {
		r.s.Metrics.Messages(r.j.Kind, result, n)
	}
}

// resumeInFlight finishes the chunk a previous holder journaled and may
// have been sending when it died. Its messages already in the job's end
// state, or failed again since the job was created, were handled by that
// holder after its last count, and are counted done now; the rest are sent again through claims the previous epoch's
// claims pass to (possible duplicates, counted by the manager).
func (r *run) resumeInFlight(ctx context.Context) error {
	cp := r.j.Checkpoint
	if len(cp.InFlight) == 0 {
		return nil
	}
	msgs, err := r.s.DLQ.MessagesByIDs(ctx, cp.InFlight)
	if err != nil {
		return err
	}
	want := contract.DLQRetried
	if r.j.Kind == KindDiscard {
		want = contract.DLQDiscarded
	}
	var todo []contract.DLQMessage
	for _, m := range msgs {
		switch {
		case m.Status == want:
			r.j.Done++
			r.metric(ResultDone, 1)
		case m.Status.Terminal():
			r.j.Refused++
			r.metric(ResultRefused, 1)
		case m.FailedAt.After(r.j.CreatedAt):
			// The previous holder handled it, then it failed again: that
			// failure belongs to the DLQ processor's policy, not the job.
			r.j.Done++
			r.metric(ResultDone, 1)
		default:
			todo = append(todo, m)
		}
	}
	r.j.Refused += int64(len(cp.InFlight) - len(msgs)) // gone from the DLQ
	if err := r.send(ctx, todo); err != nil {
		return err
	}
	r.j.Checkpoint = Checkpoint{After: cp.InFlightEnd}
	return r.checkpoint(ctx)
}

// checkpoint writes the counters, errors and position.
func (r *run) checkpoint(ctx context.Context) error {
	err := r.write(ctx, r.progressSet())
	if err == nil && r.o.Progress != nil {
		r.o.Progress(r.j)
	}
	return err
}

// progressSet is the $set of the counters, errors and position, stamped now.
func (r *run) progressSet() bson.D {
	now := r.s.now()
	r.j.Checkpoint.At = &now
	return bson.D{
		{Key: "done", Value: r.j.Done}, {Key: "failed", Value: r.j.Failed}, {Key: "refused", Value: r.j.Refused},
		{Key: "possible_duplicates", Value: r.j.PossibleDuplicates}, {Key: "unreadable", Value: r.j.Unreadable},
		{Key: "errors", Value: r.j.Errors}, {Key: "checkpoint", Value: r.j.Checkpoint},
	}
}

func (r *run) end(ctx context.Context, e Event, extra bson.D) error {
	to, err := Next(r.j.Status, e)
	if err != nil {
		return err
	}
	now := r.s.now()
	r.j.Status = to
	set := bson.D{{Key: "status", Value: to}}
	if to.Terminal() {
		r.j.FinishedAt = &now
		set = append(set, bson.E{Key: "finished_at", Value: now})
	}
	set = append(append(set, extra...), r.progressSet()...)
	r.writeMu.Lock()
	err = r.writeLocked(ctx, set)
	r.ended = err == nil
	r.writeMu.Unlock()
	if err != nil {
		return err
	}
	if r.o.Progress != nil {
		r.o.Progress(r.j)
	}
	r.s.log().Info("DLQ job "+string(to), "job_id", r.j.ID, "done", r.j.Done, "failed", r.j.Failed,
		"refused", r.j.Refused, "possible_duplicates", r.j.PossibleDuplicates)
	if to.Terminal() {
		r.auditFinish(ctx)
	}
	return nil
}

// auditFinish records the job's end in the audit trail. The change is
// made already, so a record that cannot be written is only logged.
func (r *run) auditFinish(ctx context.Context) {
	a := r.s.Audit
	if a == nil {
		return
	}
	in := audit.Intent{Action: audit.DLQJobFinish, Targets: []string{r.j.ID}, Reason: r.j.Reason,
		Params: map[string]string{"kind": string(r.j.Kind), "status": string(r.j.Status), "requested_by": r.j.RequestedBy}}
	rec, err := a.Begin(ctx, in)
	if err == nil {
		out := audit.BatchOutcome(r.j.Done, r.j.Failed, r.j.Refused, nil)
		if r.j.Status == StatusFailed {
			out = audit.OutcomeOf(errors.New(r.j.Error))
		}
		err = a.Finish(ctx, rec, out)
	}
	if err != nil {
		r.s.log().Warn("record the job's end in the audit trail", "job_id", r.j.ID, "error", err)
	}
}

func (r *run) complete(ctx context.Context) error { return r.end(ctx, EventComplete, nil) }

func (r *run) release(ctx context.Context) error {
	if err := r.end(ctx, EventRelease, nil); err != nil {
		return err
	}
	return ErrReleased
}

func (r *run) finishCancel(ctx context.Context) error {
	var extra bson.D
	if p := r.cancelled.Load(); p != nil {
		by, why := decodeRequester(*p)
		r.j.CancelledBy, r.j.CancelReason = by, why
		extra = bson.D{{Key: "cancelled_by", Value: by}, {Key: "cancel_reason", Value: why}}
	} else if req, err := r.s.cancelRequest(ctx, r.j.ID); err == nil && req != nil {
		by, why := decodeRequester(req.RequestedBy)
		r.j.CancelledBy, r.j.CancelReason = by, why
		extra = bson.D{{Key: "cancelled_by", Value: by}, {Key: "cancel_reason", Value: why}}
	}
	if err := r.end(ctx, EventStopped, extra); err != nil {
		return err
	}
	return r.s.Store.DLQJobRequests().Delete(ctx, requestID(r.j.ID))
}

// fail ends a job that cannot be carried out at all (for example an
// invalid destination topic).
func (r *run) fail(ctx context.Context, cause error) error {
	r.j.Error = cause.Error()
	r.j.addErrors(JobError{At: r.s.now(), Error: cause.Error()})
	if err := r.end(ctx, EventFail, bson.D{{Key: "error", Value: r.j.Error}}); err != nil {
		return err
	}
	return fmt.Errorf("job %s failed: %w", r.j.ID, cause)
}

// stopOnError records an error that may pass (a server away) and gives the
// job up with status unchanged, for this or another holder to resume from
// the last checkpoint.
func (r *run) stopOnError(ctx context.Context, cause error) error {
	if errors.Is(cause, ErrLostLease) {
		return cause
	}
	r.j.addErrors(JobError{At: r.s.now(), Error: cause.Error()})
	_ = r.write(ctx, bson.D{{Key: "errors", Value: r.j.Errors}})
	return fmt.Errorf("job %s stopped at its last checkpoint: %w", r.j.ID, cause)
}
