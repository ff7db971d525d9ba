package replay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// Engine tuning. The checkpoint cadence bounds both the write load on the
// session document and how much a crash can make us resend.
const (
	checkpointEvery    = 5000
	checkpointInterval = 2 * time.Second
	requestPoll        = 500 * time.Millisecond
	tickInterval       = 100 * time.Millisecond
	// The reservation is how many events the reader may send beyond the last
	// written checkpoint, so it bounds the possible duplicates after a crash.
	// It adapts to twice what was sent in the last checkpoint interval (four
	// times while the reader uses it all: see nextReserve), so a slow replay
	// reports a tight bound and a fast one soon stops waiting for it.
	minReserve  = 256
	maxReserve  = 4 * checkpointEvery
	drainGrace  = 500 * time.Millisecond
	drainFlush  = 200 * time.Millisecond // how long drain may keep the shared client from lingering
	cursorBatch = 1000
	ioTimeout   = 15 * time.Second
)

// stopReason is why a run stops before the end of its events.
type stopReason int

const (
	reasonNone      stopReason = iota
	reasonPause                // a pause request
	reasonCancel               // a cancel request
	reasonFailFast             // an event failed with skip_errors=false
	reasonFatal                // the target or the event store broke
	reasonLostLease            // our claim expired or was taken over
	reasonExternal             // someone else changed the session's status
	reasonInterrupt            // the caller's context ended
)

// runExt is replayctl bookkeeping the contract types do not carry.
type runExt struct {
	inFlightLimit int64
	fileOffset    *int64
}

func readExt(raw bson.Raw) runExt {
	var e runExt
	if v, err := raw.LookupErr("replayctl", "in_flight_limit"); err == nil {
		e.inFlightLimit, _ = v.AsInt64OK()
	}
	if v, err := raw.LookupErr("replayctl", "file_offset"); err == nil {
		if n, ok := v.AsInt64OK(); ok {
			e.fileOffset = &n
		}
	}
	return e
}

type runner struct {
	svc  *Service
	h    *holder
	id   string
	opts RunOptions
	log  *slog.Logger

	sess     *contract.Session // as loaded once the claim was taken
	ext      runExt
	after    *contract.Checkpoint
	base     [3]int64 // replayed, failed, skipped at start
	baseDups int64
	runs     int64
	errs     []contract.SessionError // the session's list; controller and finisher only

	tr   *tracker
	sink sink
	// onDone is r.finished, made once rather than per event.
	onDone    func(*message, error)
	msgs      messagePool // recycled once their sink reported them
	clockText timeText    // the reader's
	win       *window     // bounds a Kafka target's in-flight events; nil otherwise
	pace      *pacer
	gate      *gate
	dups      dupBudget

	// prov is what a first run records for verify; windows are where the
	// possible duplicates lie.
	prov    *contract.Provenance
	windows *dupWindows

	// missingTopics, when set, is why the session must not run at all.
	missingTopics error

	// stdoutLike targets cannot take back what they received after a crash.
	resendable bool
	fileTarget bool

	total     atomic.Int64 // -1 while unknown
	needCount bool

	ioCtx      context.Context // server writes outlive the caller's context
	readCtx    context.Context
	cancelRead context.CancelFunc
	ckptNow    chan struct{}
	lastRead   position
	// head counts the leading documents whose timestamp is not a date;
	// -1 once a dated document was read.
	head int64

	// epoch is the lease epoch the session records as ours: every write
	// this runner makes to the session filters on it. writeMu keeps a
	// reclaim from moving it under a write in progress.
	epoch   atomic.Int64
	pending atomic.Int64 // an epoch we tried to record, answer lost; 0 if none
	writeMu sync.Mutex
	// triedToken is the token of a claim insert that failed without a
	// duplicate: it may have committed. Renewer only.
	triedToken string
	ckptSent   atomic.Int64 // events sent as of the last written checkpoint
	lapsed     atomic.Bool  // the claim lapsed and is not yet confirmed again

	// gaveUp is closed when the renewer lets the session go. stop keeps
	// only the first reason, so a run already stopped for a pause or a
	// failure would otherwise never learn that nobody renews any more.
	gaveUp   chan struct{}
	gaveUpMu sync.Once
	lostTo   error // why the renewer gave up; set before gaveUp closes

	mu       sync.Mutex
	reason   stopReason
	cause    error
	applied  []string // request ids this run acted on
	lastCkpt time.Time
	reserve  int64 // current reservation; controller only
	prevSent int64 // sent at the previous checkpoint; controller only
	rate     rateMeter
	stall    struct {
		committed int64
		since     time.Time
	}
}

func newRunner(s *Service, h *holder, id string, opts RunOptions) *runner {
	r := &runner{
		svc: s, h: h, id: id, opts: opts, log: s.logger(id),
		tr: newTracker(), gate: newGate(h.valid), ckptNow: make(chan struct{}, 1), reserve: minReserve,
		gaveUp: make(chan struct{}),
	}
	r.onDone = r.finished
	return r
}

// stop records the first reason to stop and makes the reader return.
func (r *runner) stop(reason stopReason, cause error) {
	r.mu.Lock()
	if r.reason == reasonNone {
		r.reason, r.cause = reason, cause
		r.log.Info("stopping", "reason", reason.String(), "cause", cause)
	}
	r.mu.Unlock()
	r.cancelRead()
}

// giveUp records that the renewer let the session go, then stops the run
// (a no-op when it had stopped already).
func (r *runner) giveUp(cause error) {
	r.gaveUpMu.Do(func() {
		r.lostTo = cause
		close(r.gaveUp)
	})
	r.stop(reasonLostLease, cause)
}

// lost reports whether the renewer gave the session up, and why.
func (r *runner) lost() (bool, error) {
	select {
	case <-r.gaveUp:
		return true, r.lostTo
	default:
		return false, nil
	}
}

func (r *runner) stopped() (stopReason, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reason, r.cause
}

func (reason stopReason) String() string {
	return [...]string{"none", "pause", "cancel", "fail-fast", "fatal", "lost-lease", "external", "interrupt"}[reason]
}

// run is one claimed run of the session, from reload to final write.
func (r *runner) run(ctx context.Context) (*Result, error) {
	r.ioCtx = context.WithoutCancel(ctx)
	r.readCtx, r.cancelRead = context.WithCancel(ctx)
	defer r.cancelRead()
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	// Claim the session in its document before touching the target: a
	// fresh file target is truncated when opened.
	if err := r.begin(ctx); err != nil {
		return nil, err
	}
	stopRenewer := r.startRenewer()
	defer stopRenewer()
	// A worker has nobody to ask: refuse before the first send, and say
	// why in the session.
	if r.missingTopics != nil {
		return r.failEarlyAs(r.missingTopics, "missing_topic")
	}
	if err := r.openSink(); err != nil {
		return r.failEarly(err)
	}
	defer r.closeSink()
	// A reader blocked inside the producer would never see a stop: give up
	// on in-flight records a moment after any stop.
	context.AfterFunc(r.readCtx, func() { time.AfterFunc(drainGrace+500*time.Millisecond, r.sink.abort) })
	r.startCount()
	stopControl := r.startController()
	if err := r.read(); err != nil && r.readCtx.Err() == nil {
		r.stop(reasonFatal, err)
	}
	if reason, _ := r.stopped(); reason == reasonNone && r.win != nil {
		r.drain() // every acknowledgement, unless stopped
	}
	stopControl()
	return r.finish(ctx)
}

// drain waits for every acknowledgement once everything was sent. The last
// records would otherwise sit out the producer's linger first; a flush
// while waiting sends them at once. The client may be shared with other
// runs: their records leave without linger for that moment too, and the
// flush is given up as soon as this run's records are in, or after
// drainFlush.
func (r *runner) drain() {
	// Bounded: records of ours waiting out an outage's back-off would
	// otherwise keep every run on a shared client from lingering.
	ctx, cancel := context.WithTimeout(r.readCtx, drainFlush)
	defer cancel()
	go func() { _ = r.svc.Kafka.Flush(ctx) }()
	_ = r.win.idle(r.readCtx)
}

// load re-reads the session now that it is ours: it may have changed
// between Resolve and the claim.
func (r *runner) load(ctx context.Context) error {
	raw, err := r.sessions().GetRaw(ctx, r.id)
	if err != nil {
		return err
	}
	var sess contract.Session
	if err := bson.Unmarshal(raw, &sess); err != nil {
		return fmt.Errorf("decode session %s: %w", r.id, err)
	}
	if sess.Status != contract.StatusRunning {
		return notRunning(&sess)
	}
	if err := r.svc.checkRunnable(&sess, r.opts); err != nil {
		return err
	}
	r.sess, r.ext = &sess, readExt(raw)
	r.classifyTarget()
	r.base = [3]int64{sess.ReplayedEvents, sess.FailedEvents, sess.SkippedEvents}
	r.errs = append([]contract.SessionError{}, sess.Errors...)
	var windows []contract.DuplicateWindow
	if ext := sess.Replayctl; ext != nil {
		r.after, r.baseDups, r.runs = ext.Checkpoint, ext.PossibleDuplicates, ext.Runs
		windows = ext.DuplicateWindows
	}
	r.windows = newDupWindows(windows, r.after)
	switch {
	case r.after.HeadOnly():
		r.head = r.after.Head
	case r.after != nil:
		r.head = -1
	}
	// Count on the first run, and again if that run ended before its count
	// did: the total covers every matching event, not just those left.
	r.total.Store(sess.TotalEvents)
	r.needCount = sess.TotalEvents == 0
	if r.needCount {
		r.total.Store(-1)
	}
	return nil
}

func (r *runner) processedAtStart() int64 { return r.base[0] + r.base[1] + r.base[2] }

// classifyTarget decides how the target remembers what it got: a file
// keeps an offset (exactly once), Kafka and stdout cannot take anything back.
func (r *runner) classifyTarget() {
	cfg := r.sess.Config
	stdout := cfg.TargetFilePath != nil && *cfg.TargetFilePath == "-"
	if !r.sess.DryRun {
		r.fileTarget = cfg.Target == contract.TargetFile && !stdout
		r.resendable = cfg.Target == contract.TargetKafka || stdout
	}
	if !r.resendable {
		r.gate.disable()
	}
}

func (r *runner) openSink() error {
	cfg := r.sess.Config
	switch {
	case r.sess.DryRun:
		r.sink = dryRunSink{}
	case cfg.Target == contract.TargetFile:
		var resumeAt *int64
		if r.after != nil || r.processedAtStart() > 0 {
			resumeAt = r.ext.fileOffset
			if resumeAt == nil {
				zero := int64(0) // never checkpointed a line: nothing to keep
				resumeAt = &zero
			}
		}
		fs, err := openFileSink(*cfg.TargetFilePath, r.opts.Stdout, resumeAt)
		if err != nil {
			return err
		}
		r.sink = fs
	default:
		r.win = newWindow(maxInFlightRecords, maxInFlightBytes)
		r.sink = newKafkaSink(r.svc.Kafka, r.sess, r.svc.TopicPrefix, r.log)
	}
	r.pace = newPacer(cfg.SpeedMultiplier, r.rateLimit())
	return nil
}

func (r *runner) rateLimit() float64 {
	if r.sess.Replayctl == nil {
		return 0
	}
	return r.sess.Replayctl.RateLimit
}

func (r *runner) closeSink() {
	if err := r.sink.close(); err != nil {
		r.log.Warn("close target", "error", err)
	}
}

// begin records that this runner took the session, before sending anything:
// the reservation it writes is what a successor counts as possible
// duplicates if this process dies before its first checkpoint.
func (r *runner) begin(ctx context.Context) error {
	if r.resendable {
		// After a crash: what the dead runner may have sent past its last
		// checkpoint; after a clean stop: what it left unacknowledged.
		r.dups.remaining.Store(r.ext.inFlightLimit)
	}
	claim := r.h.claim()
	set := bson.D{
		{Key: "replayctl.owner", Value: claim.Owner},
		{Key: "replayctl.runs", Value: r.runs + 1},
		{Key: "replayctl.in_flight_limit", Value: r.limit(0, true)},
	}
	if r.sess.StartedAt == nil {
		set = append(set, bson.E{Key: "started_at", Value: r.svc.now().Truncate(time.Millisecond)})
	}
	set = append(set, r.provenanceSet()...)
	if r.resendable {
		r.windows.add(claim.Epoch, r.dups.remaining.Load(), nil)
		set = append(set, r.windows.set()...)
	}
	// Recording our epoch is what fences every earlier holder's writes.
	ok, err := r.sessions().TakeOver(ctx, r.id, claim.Epoch, set)
	if err != nil || !ok {
		if err := r.tookOver(ctx, claim.Epoch, err); err != nil {
			return err
		}
	}
	r.epoch.Store(claim.Epoch)
	r.gate.raise(r.reserve)
	r.log.Info("run started", "epoch", claim.Epoch, "owner", claim.Owner, "target", r.sess.Config.Target,
		"dry_run", r.sess.DryRun, "resume_from", r.after, "took_over_crashed", r.h.crashed(),
		"possible_duplicates_budget", r.dups.remaining.Load())
	return nil
}

// tookOver decides after TakeOver failed (err) or matched nothing: a
// write that committed with its reply lost, or a retry that found it done,
// leaves the session at our epoch, which is success; anything else is a
// later claim, another status, or err.
func (r *runner) tookOver(ctx context.Context, epoch int64, err error) error {
	cur, gerr := r.sessions().Get(ctx, r.id)
	if gerr != nil {
		return errors.Join(err, gerr)
	}
	switch {
	case cur.Status != contract.StatusRunning:
		return notRunning(cur)
	case cur.Replayctl != nil && cur.Replayctl.Epoch == epoch:
		return nil
	case err != nil:
		return err
	}
	return lostClaim(r.id, errors.New("a later claim already took the session over"))
}

// limit is the in_flight_limit to store: what is in flight, what a
// predecessor may have sent that we have not re-sent yet, and while running
// the reservation the reader may still use.
func (r *runner) limit(inFlight int64, running bool) int64 {
	if !r.resendable {
		return 0
	}
	n := inFlight + r.dups.remaining.Load()
	if running {
		n += r.reserve
	}
	return n
}

// failEarly fails a session whose target cannot even be opened.
func (r *runner) failEarly(cause error) (*Result, error) { return r.failEarlyAs(cause, "target_error") }

// failEarlyAs fails the session before anything was sent, with an error
// entry of type typ.
func (r *runner) failEarlyAs(cause error, typ string) (*Result, error) {
	r.log.Error("cannot replay to the target", "error", cause)
	msg := cause.Error()
	now := r.svc.now().Truncate(time.Millisecond)
	set := bson.D{
		{Key: "status", Value: contract.StatusFailed}, {Key: "error", Value: msg},
		{Key: "completed_at", Value: now},
		{Key: "errors", Value: appendErrs(r.errs, []contract.SessionError{sessionError(now, cause, typ, "")})},
	}
	ok, err := r.writeHeld(r.ioCtx, contract.StatusRunning, set)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := r.refused(r.ioCtx); err != nil {
			return nil, err
		}
	}
	return r.result(OutcomeFailed)
}

func (r *runner) result(o Outcome) (*Result, error) {
	ctx, cancel := context.WithTimeout(r.ioCtx, ioTimeout)
	defer cancel()
	sess, err := r.sessions().Get(ctx, r.id)
	if err != nil {
		return nil, err
	}
	return &Result{Session: sess, Outcome: o}, nil
}

// sessionError is one entry of the session's errors list.
func sessionError(now time.Time, err error, typ, eventID string) contract.SessionError {
	e := contract.SessionError{Timestamp: now, Error: err.Error()}
	if typ != "" {
		e.ErrorType = &typ
	}
	if eventID != "" {
		// A copy: the event's id shares a block with many others
		// (contract.Strings), and an error entry may outlive them all.
		eventID = strings.Clone(eventID)
		e.EventID = &eventID
	}
	return e
}

// appendErrs keeps the newest MaxSessionErrors entries.
func appendErrs(list, more []contract.SessionError) []contract.SessionError {
	list = append(list, more...)
	if n := len(list) - contract.MaxSessionErrors; n > 0 {
		list = append(list[:0:0], list[n:]...)
	}
	if list == nil {
		list = []contract.SessionError{}
	}
	return list
}

// sessions is the session collection with the coordination settings:
// every read and write a holder makes goes through it (see
// store.HolderSessions).
func (r *runner) sessions() *store.Sessions { return r.svc.Store.HolderSessions() }

// writeHeld applies set to the session while it has status want and still
// records our epoch; see Sessions.UpdateIfHeld.
func (r *runner) writeHeld(ctx context.Context, want contract.SessionStatus, set bson.D) (bool, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return r.sessions().UpdateIfHeld(ctx, r.id, want, r.epoch.Load(), set)
}

// refused explains a holder's write that matched nothing: a later epoch
// took the session over (a lost claim), or the status changed elsewhere.
func (r *runner) refused(ctx context.Context) error {
	cur, err := r.sessions().Get(ctx, r.id)
	if err != nil {
		return err
	}
	if !r.holds(cur) {
		return lostClaim(r.id, errTakenOver)
	}
	if cur.Status == contract.StatusRunning {
		return nil // neither: a racing write on the embedded server; look again
	}
	return notRunning(cur)
}

var errTakenOver = errors.New("another runner took the session over")
