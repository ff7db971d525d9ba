package dlq

import (
	"context"
	"errors"
	"fmt"
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
	// batchTimeout bounds persisting one fetch once started; shutdown waits
	// for it rather than abandoning a half-persisted batch.
	batchTimeout = 10 * time.Minute
	// onceIdle ends a --once pass that stops receiving records before the end
	// offsets (transaction markers or compaction leave gaps there).
	onceIdle = 5 * time.Second
	// joinTimeout outlasts the group's rebalance timeout (kgo's default,
	// 60 s): the longest a join waits for members that died without
	// leaving (dynamic ones; a dead static --once member is replaced).
	joinTimeout = 90 * time.Second
	// onceSessionTimeout bounds how long a killed --once pass that is not
	// restarted keeps its partitions from the group's other members. It
	// only needs to outlast a pause in heartbeats, which kgo sends from
	// its own goroutine whatever the batch in hand is doing.
	onceSessionTimeout = 10 * time.Second
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
// client's goroutines).
type assignment struct {
	mu     sync.Mutex
	joined bool
	parts  map[int32]bool
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
}

// poll fetches with a deadline; it reports the records and whether the
// client was closed, or an error that ends Process.
func (r *runner) poll(ctx context.Context, timeout time.Duration) ([]*kgo.Record, bool, error) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fs := r.cl.PollFetches(pctx)
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
		return nil
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
	if err := r.cl.CommitRecords(work, recs...); err != nil {
		r.fenced = errors.Is(err, kerr.FencedInstanceID)
		return fmt.Errorf("commit DLQ offsets: %w", err)
	}
	if r.o.OnBatch != nil {
		r.o.OnBatch(len(recs), time.Since(began))
	}
	r.progress()
	return nil
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
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
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
	start := time.Now()
	var idle time.Duration // polling time without records, since the last ones
	for ctx.Err() == nil {
		joined, parts := r.asg.snapshot()
		if joined && caughtUp(parts, ends, pos) {
			break
		}
		if !joined && time.Since(start) > joinTimeout {
			return fmt.Errorf("no partitions of %s assigned in group %s within %s (a member that died without leaving holds the group until its session times out)", r.m.DLQTopic, r.o.Group, joinTimeout)
		}
		if joined && idle > onceIdle {
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
			if joined {
				idle += time.Since(polled)
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
