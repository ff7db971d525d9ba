package dlq

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/wait"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultGroup is the consumer group Process joins unless told otherwise.
const DefaultGroup = "replayctl-dlq"

// OnceInstanceID is the static group instance id of a --once pass (see
// ProcessOptions.InstanceID).
const OnceInstanceID = "replayctl-dlq-once"

// ProcessOptions control Process.
type ProcessOptions struct {
	// Group is the consumer group id; "" = DefaultGroup.
	Group string
	// Once retries what is due now, reads what is on the DLQ topic now (up
	// to the end offsets taken at the start), and returns.
	Once bool
	// PollInterval is how often due retries are looked for; 0 = 5s.
	PollInterval time.Duration
	// InstanceID makes Process a static member of the group. A process
	// killed without leaving stays a member until its session times out,
	// and a dynamic newcomer waits for that (60 s measured on kfake); a
	// static newcomer with the same instance id takes the dead member's
	// place at once. "" = OnceInstanceID for a Once pass (so a restarted
	// pass gets straight on with the work) and dynamic membership
	// otherwise. A clean exit leaves the group explicitly (static members
	// do not leave on close), so the partitions go to the other members
	// at once. Two live processes with one instance id fence each other:
	// the newer joins, the older fails with FENCED_INSTANCE_ID (its
	// uncommitted records are read again by the newer and stored once).
	InstanceID string
	// Progress is called from Process's goroutine after every batch.
	Progress func(ProcessStats)
	// OnBatch, when set, is called from Process's goroutine after each
	// fetch is persisted and committed, with its size and how long that
	// took (benchmarks and metrics).
	OnBatch func(records int, took time.Duration)
}

// ProcessStats count what Process did.
type ProcessStats struct {
	Received    int64 `json:"received" yaml:"received"`       // new messages, and new failures of stored ones
	Duplicates  int64 `json:"duplicates" yaml:"duplicates"`   // stored with this or a later failure: nothing changed
	Dropped     int64 `json:"dropped" yaml:"dropped"`         // older than 7 days, or test- ids
	Quarantined int64 `json:"quarantined" yaml:"quarantined"` // stored in dlq_invalid
	Discarded   int64 `json:"discarded" yaml:"discarded"`     // max_retries_exceeded on receipt
	Scheduled   int64 `json:"scheduled" yaml:"scheduled"`     // stored with a next_retry_at
	Retried     int64 `json:"retried" yaml:"retried"`         // sent (immediate and due)
	RetryFailed int64 `json:"retry_failed" yaml:"retry_failed"`
}

func (s *ProcessStats) add(o ProcessStats) {
	s.Received += o.Received
	s.Duplicates += o.Duplicates
	s.Dropped += o.Dropped
	s.Quarantined += o.Quarantined
	s.Discarded += o.Discarded
	s.Scheduled += o.Scheduled
	s.Retried += o.Retried
	s.RetryFailed += o.RetryFailed
}

const (
	defaultPollInterval = 5 * time.Second
	// rebalanceTimeout is how long the group's coordinator waits for every
	// member to rejoin a rebalance (kgo's default, set here so the budget
	// below is measured against it). A member rejoins only after the fetch
	// in hand is persisted and committed (BlockRebalanceOnPoll), so a batch
	// that outlasts it is thrown out of the group and its commit refused.
	rebalanceTimeout = 60 * time.Second
	// batchTimeout bounds persisting and committing one fetch; shutdown
	// waits for it rather than abandoning a half-persisted batch. Every wait
	// in a batch takes this deadline from the batch's context: MongoDB
	// round trips and their retries (store.WithRetry stops at the deadline),
	// the ingestion claims (their 5-minute TTL outlives the batch), immediate
	// sends and notifications (each also bounded by the producer's delivery
	// timeout, 3 x --timeout = 30 s by default; kgo fails a record at the
	// deadline unless it is in flight), and the commit (retried for up to
	// 30 s, see kafka.NewClient). 45 s + the 15 s left for handing the fetch
	// over, the rejoin and clock skew = rebalanceTimeout.
	batchTimeout = 45 * time.Second
	// maxBatch caps the records one poll returns, so a normal batch is a
	// fraction of batchTimeout: 1,000 records take about 12 s at the
	// slowest ingestion measured here (85 records/s under -race on a loaded
	// machine) and under a second at the usual 1,800/s.
	maxBatch = 1000
	// dueTimeout bounds one due-retry round. It runs between polls, with
	// rebalances allowed, so the rebalance timeout does not bound it.
	dueTimeout = 10 * time.Minute
	// onceIdle ends a --once pass that stops receiving records before the end
	// offsets (transaction markers or compaction leave gaps there).
	onceIdle = 5 * time.Second
	// joinTimeout outlasts the group's rebalance timeout: the longest a
	// join waits for members that died without leaving (dynamic ones; a
	// dead static --once member is replaced) or that finish their batch.
	joinTimeout = rebalanceTimeout + 30*time.Second
	// onceSessionTimeout bounds how long a killed --once pass that is not
	// restarted keeps its partitions from the group's other members. It
	// only needs to outlast a pause in heartbeats, which kgo sends from
	// its own goroutine whatever the batch in hand is doing.
	onceSessionTimeout = 10 * time.Second
	// describeTimeout bounds one look at the group while a pass waits for
	// partitions.
	describeTimeout = 10 * time.Second
)

// Process consumes the DLQ topic with a consumer group, persists what it
// reads, and retries due messages. Offsets are committed only after their
// records are persisted. Once returns after one pass (an interrupted pass
// returns ctx's error); otherwise it runs until ctx is done, finishes the
// batch in hand, commits, and returns nil. A failed due-retry round is
// logged and tried again at the next interval; a batch that cannot be
// persisted stops Process with an error, leaving its offsets uncommitted.
func (m *Manager) Process(ctx context.Context, o ProcessOptions) (ProcessStats, error) {
	var stats ProcessStats
	if err := m.checkProcess(); err != nil {
		return stats, err
	}
	if err := m.EnsureIndexes(ctx); err != nil {
		return stats, err
	}
	if o.Group == "" {
		o.Group = DefaultGroup
	}
	if o.PollInterval <= 0 {
		o.PollInterval = defaultPollInterval
	}
	if o.InstanceID == "" && o.Once {
		o.InstanceID = OnceInstanceID
	}
	asg := &assignment{parts: map[int32]bool{}}
	cl, err := m.NewConsumer(consumerOpts(m.DLQTopic, o, asg)...)
	if err != nil {
		return stats, fmt.Errorf("create DLQ consumer: %w", err)
	}
	r := &runner{m: m, cl: cl, o: o, asg: asg, stats: &stats}
	defer func() { m.closeConsumer(cl, o, r.fenced) }()
	if o.Once {
		return stats, r.once(ctx)
	}
	return stats, r.loop(ctx)
}

func consumerOpts(topic string, o ProcessOptions, asg *assignment) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.ConsumerGroup(o.Group),
		kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.FetchMaxWait(500 * time.Millisecond),
		kgo.RebalanceTimeout(rebalanceTimeout),
		kgo.OnPartitionsAssigned(asg.assigned),
		kgo.OnPartitionsRevoked(asg.revoked),
		kgo.OnPartitionsLost(asg.revoked),
	}
	if o.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(o.InstanceID))
	}
	if o.Once {
		opts = append(opts, kgo.SessionTimeout(onceSessionTimeout), kgo.HeartbeatInterval(time.Second))
	}
	return opts
}

// closeConsumer closes the group consumer; a static member then leaves the
// group by its instance id (kgo does not, so that a restart could take its
// place), because a clean exit is not coming back. A fenced member does not:
// the instance id is the newer process's now.
func (m *Manager) closeConsumer(cl *kgo.Client, o ProcessOptions, fenced bool) {
	cl.CloseAllowingRebalance()
	if o.InstanceID == "" || fenced {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := kadm.NewClient(m.Kafka).LeaveGroup(ctx, kadm.LeaveGroup(o.Group).InstanceIDs(o.InstanceID).
		Reason("replayctl dlq process finished"))
	if err == nil {
		err = res.Error()
	}
	if err != nil && !errors.Is(err, kerr.UnknownMemberID) {
		m.log().Warn("cannot leave the DLQ consumer group; its partitions wait for the session timeout",
			"event_id", "", "group", o.Group, "instance_id", o.InstanceID, "error", err)
	}
}

func (m *Manager) checkProcess() error {
	switch {
	case m.NewConsumer == nil:
		return errors.New("dlq: Process needs Manager.NewConsumer")
	case m.Kafka == nil:
		return errors.New("dlq: Process needs Manager.Kafka to publish")
	case m.DLQTopic == "":
		return fault.Invalidf("no DLQ topic configured")
	}
	return nil
}

// assignment tracks the partitions the group gave us (callbacks run on the
// client's goroutines) and the commits a rebalance rejected.
type assignment struct {
	mu     sync.Mutex
	joined bool
	parts  map[int32]bool
	// unacked holds, per partition, the last persisted record whose commit
	// a rebalance rejected. A partition that is revoked or lost drops its
	// entry: its next owner commits from there on, and were the partition
	// to come back before our next commit, the held offset would rewind
	// what that owner committed.
	unacked map[int32]*kgo.Record
}

func (a *assignment) assigned(_ context.Context, _ *kgo.Client, m map[string][]int32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.joined = true
	for _, ps := range m {
		for _, p := range ps {
			a.parts[p] = true
		}
	}
}

func (a *assignment) revoked(_ context.Context, _ *kgo.Client, m map[string][]int32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ps := range m {
		for _, p := range ps {
			delete(a.parts, p)
			delete(a.unacked, p)
		}
	}
}

func (a *assignment) snapshot() (bool, []int32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]int32, 0, len(a.parts))
	for p := range a.parts {
		out = append(out, p)
	}
	return a.joined, out
}

type runner struct {
	m           *Manager
	cl          *kgo.Client
	o           ProcessOptions
	asg         *assignment
	stats       *ProcessStats
	lastCleanup time.Time
	fenced      bool // another process took our static instance id
	rejecting   bool // a rejected commit was logged (see commit)
}

// poll fetches with a deadline; it reports the records and whether the
// client was closed, or an error that ends Process.
func (r *runner) poll(ctx context.Context, timeout time.Duration) ([]*kgo.Record, bool, error) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fs := r.cl.PollRecords(pctx, maxBatch)
	if fs.IsClientClosed() {
		return nil, true, nil
	}
	failed := false
	var fenced error
	fs.EachError(func(t string, p int32, err error) {
		if errors.Is(err, kerr.FencedInstanceID) {
			fenced = fmt.Errorf("another process joined group %s with instance id %s and took over: %w", r.o.Group, r.o.InstanceID, err)
			return
		}
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			failed = true
			r.m.log().Warn("DLQ fetch error", "topic", t, "partition", p, "event_id", "", "error", err)
		}
	})
	recs := fs.Records()
	if fenced != nil {
		r.fenced = true
		r.cl.AllowRebalance()
		return nil, false, fenced
	}
	if failed && len(recs) == 0 {
		_ = wait.Sleep(ctx, time.Second) // a broker that fails at once must not spin the loop
	}
	return recs, false, nil
}

// handle persists one fetch and commits its offsets. It runs to completion
// even when ctx is cancelled, so a shutdown never commits unpersisted
// records nor abandons persisted ones uncommitted.
func (r *runner) handle(ctx context.Context, recs []*kgo.Record) error {
	defer r.cl.AllowRebalance()
	if len(recs) == 0 {
		if !r.asg.hasUnacked() {
			return nil
		}
		work, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
		defer cancel()
		return r.commit(work, nil)
	}
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
	defer cancel()
	began := time.Now()
	st, err := r.m.persistRecords(work, recs)
	r.m.log().Debug("persisted DLQ batch", "event_id", "", "records", len(recs), "took", time.Since(began))
	r.stats.add(st)
	if err != nil {
		return fmt.Errorf("persist DLQ records: %w", err)
	}
	if err := r.commit(work, recs); err != nil {
		return err
	}
	if r.o.OnBatch != nil {
		r.o.OnBatch(len(recs), time.Since(began))
	}
	r.progress()
	return nil
}

// commit commits recs' offsets together with those of earlier batches
// whose commit the group rejected (unacked), for the partitions still ours.
// A rejection by a rebalance is not an error: see rebalanceRejected.
func (r *runner) commit(ctx context.Context, recs []*kgo.Record) error {
	all := r.stillOurs(recs)
	if len(all) == 0 {
		return nil
	}
	err := r.cl.CommitRecords(ctx, all...)
	switch {
	case err == nil:
		if r.asg.clearUnacked() {
			r.m.log().Info("DLQ offsets committed again after a rebalance", "event_id", "", "group", r.o.Group)
		}
		r.rejecting = false
		return nil
	case rebalanceRejected(err):
		r.keepUnacked(all)
		if !r.rejecting {
			r.m.log().Warn("DLQ offset commit rejected by a group rebalance; committing with the next batch (a partition that moves re-reads these records and its new owner stores each once)",
				"event_id", "", "group", r.o.Group, "records", len(all), "error", err)
		}
		r.rejecting = true
		return nil
	}
	r.fenced = errors.Is(err, kerr.FencedInstanceID)
	return fmt.Errorf("commit DLQ offsets: %w", err)
}

// rebalanceRejected reports a commit the coordinator refused because the
// group is rebalancing or our generation has ended. Both are routine on a
// real cluster (members join, leave, brokers roll), and kgo rejoins by
// itself on the generation errors. The records are persisted already and
// idempotently (the unique event.event_id index and the claims), so the
// worst case is that the partition's next owner reads them again and finds
// them stored. FENCED_INSTANCE_ID is not one of these: another live process
// has our static instance id, and only one of the two may go on.
func rebalanceRejected(err error) bool {
	return errors.Is(err, kerr.RebalanceInProgress) || errors.Is(err, kerr.IllegalGeneration) ||
		errors.Is(err, kerr.UnknownMemberID)
}

// stillOurs returns recs plus the last rejected record of every partition
// that has stayed ours since (see assignment.unacked).
func (r *runner) stillOurs(recs []*kgo.Record) []*kgo.Record {
	r.asg.mu.Lock()
	defer r.asg.mu.Unlock()
	out := append(make([]*kgo.Record, 0, len(recs)+len(r.asg.unacked)), recs...)
	for _, rec := range r.asg.unacked {
		out = append(out, rec)
	}
	return out
}

// keepUnacked remembers, per partition still ours, the last record of a
// rejected commit. One that left while the commit was under way is not
// kept: a commit with no records in hand does not hold rebalances back.
func (r *runner) keepUnacked(recs []*kgo.Record) {
	a := r.asg
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.unacked == nil {
		a.unacked = map[int32]*kgo.Record{}
	}
	for _, rec := range recs {
		if !a.parts[rec.Partition] {
			continue
		}
		if at, ok := a.unacked[rec.Partition]; !ok || at.Offset < rec.Offset {
			a.unacked[rec.Partition] = rec
		}
	}
}

func (a *assignment) hasUnacked() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.unacked) > 0
}

// clearUnacked forgets the held records after a commit and reports
// whether there were any.
func (a *assignment) clearUnacked() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	had := len(a.unacked) > 0
	clear(a.unacked)
	return had
}

func (r *runner) progress() {
	if r.o.Progress != nil {
		r.o.Progress(*r.stats)
	}
}

// dueRound is the outcome of one due-retry round.
type dueRound struct {
	retried, failed int64
	took            time.Duration
	err             error
}

// runDue retries what is due at cutoff (cleanup: first delete old claims).
func (r *runner) runDue(ctx context.Context, cutoff time.Time, cleanup bool) dueRound {
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), dueTimeout)
	defer cancel()
	if cleanup {
		if n, err := r.m.cleanupClaims(work); err != nil {
			r.m.log().Warn("cannot clean up expired claims", "event_id", "", "error", err)
		} else if n > 0 {
			r.m.log().Debug("deleted expired claims", "event_id", "", "count", n)
		}
	}
	began := time.Now()
	ok, failed, err := r.m.retryDue(work, cutoff)
	took := time.Since(began)
	r.m.log().Debug("retried due DLQ messages", "event_id", "", "retried", ok, "failed", failed, "took", took)
	return dueRound{retried: ok, failed: failed, took: took, err: err}
}

// cleanupDue reports whether this round should also delete old claims.
func (r *runner) cleanupDue() bool {
	if time.Since(r.lastCleanup) > claimRetention {
		r.lastCleanup = time.Now()
		return true
	}
	return false
}

// addDue counts a due round (on Process's goroutine).
func (r *runner) addDue(d dueRound) {
	r.stats.Retried += d.retried
	r.stats.RetryFailed += d.failed
	if d.retried+d.failed > 0 {
		r.progress()
	}
}

// dueShare bounds the share of a processor's time the due-retry query
// takes. On FerretDB it reads every stored message (15 s at 20,000 under
// load), so a fixed interval would let it crowd out ingestion as the DLQ
// grows; the next round waits at least (1/dueShare - 1) times the last
// round's duration. On MongoDB, with its index, the interval is what counts.
const dueShare = 0.25

// loop runs until ctx is done, retrying due messages every PollInterval
// (or less often when a round is slow, see dueShare).
func (r *runner) loop(ctx context.Context) error {
	next := time.Now()
	for ctx.Err() == nil {
		if !time.Now().Before(next) {
			d := r.runDue(ctx, r.m.nowMs(), r.cleanupDue())
			r.addDue(d)
			// A failed round is retried at the next interval; ingestion goes on.
			if d.err != nil {
				r.m.log().Error("retrying due DLQ messages failed", "event_id", "", "error", d.err)
			}
			next = time.Now().Add(max(r.o.PollInterval, time.Duration(float64(d.took)*(1/dueShare-1))))
		}
		recs, closed, err := r.poll(ctx, max(time.Until(next), 10*time.Millisecond))
		if closed {
			return nil
		}
		if err != nil {
			return err
		}
		if err := r.handle(ctx, recs); err != nil {
			return err
		}
	}
	return nil
}

// once is a bounded pass over the state at its start: it reads the topic up
// to the end offsets taken then, and then retries what was due then.
// Messages stored by this pass are not due before it started, so the order
// loses nothing; what falls due during the pass is the next pass's. The
// due round comes last because on FerretDB its query reads every stored
// message (8 to 22 s at 20,000 under load) and each retried message's status
// update scans the collection while holding the write lock: run first, it
// held up a restarted pass's ingestion by all of that; run beside the
// ingestion, it took the same CPU and lock from every batch (ingest at
// 20,000 stored fell to a third of the raw insert rate). A pass that also
// chased what fell due while a large backlog was read could run far longer.
func (r *runner) once(ctx context.Context) error {
	passStart := r.m.nowMs()
	ends, pos, err := r.bounds(ctx)
	if err != nil {
		return err
	}
	r.m.log().Debug("DLQ pass bounds", "event_id", "", "ends", ends, "from", pos)
	if err := r.ingestOnce(ctx, ends, pos); err != nil {
		return err
	}
	d := r.runDue(ctx, passStart, r.cleanupDue())
	r.addDue(d)
	if d.err != nil {
		return fmt.Errorf("retry due DLQ messages: %w", d.err)
	}
	return nil
}

// ingestOnce reads the topic from pos up to ends.
func (r *runner) ingestOnce(ctx context.Context, ends, pos map[int32]int64) error {
	// A group committed to the end of every partition leaves the pass
	// nothing to read, whoever owns the partitions: a caught-up pass, not
	// a conflict with members that own them all, and no wait to join.
	if len(ends) > 0 && caughtUp(slices.Collect(maps.Keys(ends)), ends, pos) {
		r.m.log().Debug("DLQ group committed to the end of every partition; nothing to read", "event_id", "", "group", r.o.Group)
		return nil
	}
	start := time.Now()
	var idle time.Duration // polling time without records, since the last ones
	var looked time.Time   // when the group was last described
	for ctx.Err() == nil {
		joined, parts := r.asg.snapshot()
		// Joined with nothing assigned is not caught up: a newcomer beside
		// running members is often given nothing at first (see awaitPartitions).
		waiting := !joined || len(parts) == 0 && len(ends) > 0
		if !waiting && caughtUp(parts, ends, pos) {
			break
		}
		if waiting {
			if err := r.awaitPartitions(ctx, joined, time.Since(start) > joinTimeout, len(ends), &looked); err != nil {
				return err
			}
		} else if idle > onceIdle {
			r.m.log().Warn("DLQ topic idle before its end offsets; finishing the pass", "event_id", "")
			break
		}
		polled := time.Now()
		recs, closed, err := r.poll(ctx, time.Second)
		if closed {
			return nil
		}
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			if !waiting {
				idle += time.Since(polled)
			}
			if err := r.handle(ctx, nil); err != nil { // a commit a rebalance rejected
				return err
			}
			continue
		}
		idle = 0
		for _, rec := range recs {
			pos[rec.Partition] = max(pos[rec.Partition], rec.Offset+1)
		}
		if err := r.handle(ctx, recs); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("DLQ pass interrupted (what was read is persisted and committed): %w", err)
	}
	return r.handle(ctx, nil)
}

// awaitPartitions decides, while a pass has no partition, whether to go on
// waiting. Not joined: wait up to the join timeout. Joined with nothing:
// look at the group (at most once a second); when its other members own
// every partition for good, or still own them all at the join timeout, the
// pass ends with a *GroupBusyError (a conflict: exit code 4).
func (r *runner) awaitPartitions(ctx context.Context, joined, late bool, partitions int, looked *time.Time) error {
	if !joined {
		if late {
			return fmt.Errorf("no partitions of %s assigned in group %s within %s (a member that died without leaving holds the group until its session times out)", r.m.DLQTopic, r.o.Group, joinTimeout)
		}
		return nil
	}
	if !late && time.Since(*looked) < time.Second {
		return nil
	}
	*looked = time.Now()
	dctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	err := r.groupBusy(dctx, partitions, late)
	var busy *GroupBusyError
	switch {
	case errors.As(err, &busy):
		return fault.New(fault.Conflict, err)
	case err != nil:
		r.m.log().Debug("cannot describe the DLQ consumer group", "event_id", "", "group", r.o.Group, "error", err)
	}
	if late {
		return fmt.Errorf("no partitions of %s assigned in group %s within %s", r.m.DLQTopic, r.o.Group, joinTimeout)
	}
	return nil
}

func caughtUp(parts []int32, ends, pos map[int32]int64) bool {
	for _, p := range parts {
		if pos[p] < ends[p] {
			return false
		}
	}
	return true
}

// bounds returns each partition's end offset now and the position the group
// resumes from (its committed offset, else the log start).
func (r *runner) bounds(ctx context.Context) (ends, pos map[int32]int64, err error) {
	adm := kadm.NewClient(r.cl)
	topic := r.m.DLQTopic
	endOffs, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return nil, nil, fmt.Errorf("read end offsets of %s: %w", topic, err)
	}
	startOffs, err := adm.ListStartOffsets(ctx, topic)
	if err != nil {
		return nil, nil, fmt.Errorf("read start offsets of %s: %w", topic, err)
	}
	committed, err := adm.FetchOffsets(ctx, r.o.Group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		// A group that never committed (kfake says so; Kafka returns nothing).
		committed, err = nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read committed offsets of group %s: %w", r.o.Group, err)
	}
	ends, pos = map[int32]int64{}, map[int32]int64{}
	endOffs.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			ends[o.Partition] = o.Offset
		}
	})
	startOffs.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			pos[o.Partition] = o.Offset
		}
	})
	committed.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic && o.Err == nil && o.At >= 0 {
			pos[o.Partition] = max(pos[o.Partition], o.At)
		}
	})
	return ends, pos, nil
}
