package replay

import (
	"context"
	"encoding/binary"
	"sort"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/store"
)

// offsetsTimeout bounds one listing of end offsets: provenance is for a
// later verify, so a slow cluster delays a run by at most this much.
const offsetsTimeout = 10 * time.Second

// Bound is the cap on a session's selection recorded at its first start;
// zero for a session that started before replayctl recorded one. The run's
// query, its total and a verify all apply it (store.BoundedQuery).
func Bound(sess *contract.Session) store.Bound {
	if ext := sess.Replayctl; ext != nil && ext.Provenance != nil {
		p := ext.Provenance
		if p.StoredBefore != nil {
			return store.Bound{StoredBefore: p.StoredBefore}
		}
		return store.Bound{Timestamp: p.UpperBound}
	}
	return store.Bound{}
}

// storedBefore is the greatest ObjectID a client could have made in now's
// second: every event inserted by then has an _id no greater.
func storedBefore(now time.Time) *bson.ObjectID {
	var id bson.ObjectID
	binary.BigEndian.PutUint32(id[0:4], uint32(now.Unix()+1))
	return &id
}

// TopicFor is the topic a session sends events of type eventType to.
func TopicFor(sess *contract.Session, prefix, eventType string) string {
	return router{topics: sess.Config.TargetTopics, prefix: prefix}.topic(eventType)
}

// CandidateTopics lists the topics a Kafka session may send to, without
// reading the events (a scan on the embedded server, and on MongoDB
// without a suitable index): the filter's event types, or else every type
// of the contract, less the excluded ones, mapped through target_topics or
// the prefix, plus every target_topics value. A type outside the contract
// that the session meets goes to a topic not listed here; verify reads such
// a topic from its start, which costs time but loses nothing.
func CandidateTopics(sess *contract.Session, prefix string) []string {
	f := sess.Config.Filter
	types := f.EventTypes
	if len(types) == 0 {
		types = contract.EventTypes()
	}
	excluded := map[string]bool{}
	for _, t := range f.ExcludeEventTypes {
		excluded[t] = true
	}
	seen := map[string]bool{}
	var out []string
	add := func(topic string) {
		if !seen[topic] {
			seen[topic] = true
			out = append(out, topic)
		}
	}
	for _, t := range types {
		if !excluded[t] {
			add(TopicFor(sess, prefix, t))
		}
	}
	for _, topic := range sess.Config.TargetTopics {
		add(topic)
	}
	sort.Strings(out)
	return out
}

// firstStart is the provenance a session's first run records, read before
// the claim is taken (a slow cluster must not eat into an unrenewed lease).
// nil when the session ran before. A dry run records only the bound, which
// it applies like any run.
func (s *Service) firstStart(ctx context.Context, sess *contract.Session) *contract.Provenance {
	if sess.Replayctl != nil && sess.Replayctl.Runs > 0 {
		return nil
	}
	now := s.now().Truncate(time.Millisecond)
	p := &contract.Provenance{StoredBefore: storedBefore(now)}
	if sess.DryRun {
		return p
	}
	switch sess.Config.Target {
	case contract.TargetFile:
		if fp := sess.Config.TargetFilePath; fp != nil && *fp != "-" {
			zero := int64(0) // a first run truncates the file
			p.FilePath, p.FileStart = *fp, &zero
		}
	case contract.TargetKafka:
		prefix := s.TopicPrefix
		p.TopicPrefix = &prefix
		probe := *sess
		probe.Replayctl = &contract.SessionExt{Provenance: p}
		if offs, ok := s.endOffsets(ctx, &probe); ok {
			p.StartOffsets, p.StartOffsetsAt = offs, &now
		}
	}
	return p
}

// endOffsets lists the end offsets of sess's target topics (none when no
// target topic exists yet); a failure is logged and reported as !ok, which
// leaves them unrecorded (verify then reads whole topics).
func (s *Service) endOffsets(ctx context.Context, sess *contract.Session) ([]contract.TopicOffsets, bool) {
	if s.Kafka == nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, offsetsTimeout)
	defer cancel()
	offs, err := kafka.EndOffsets(ctx, s.Kafka, CandidateTopics(sess, s.TopicPrefix))
	if err != nil {
		s.logger(sess.SessionID).Warn("record the target topics' end offsets", "error", err)
		return nil, false
	}
	if offs == nil {
		offs = []contract.TopicOffsets{}
	}
	return offs, true
}

// provenanceSet is what begin adds: the provenance on the session's first
// run; on a later one, a clear of the end offsets an earlier run recorded.
// Verify reads Kafka to the recorded end offsets when there are some: left
// in place, they would hide this run's records if it never records its own
// (a listing that timed out, a SIGKILL then `replay cancel`). Nulls rather
// than $unset, which TakeOver's $set cannot carry; they decode as absent.
func (r *runner) provenanceSet() bson.D {
	if r.prov != nil && r.runs == 0 {
		r.sess.Replayctl = withProvenance(r.sess.Replayctl, r.prov)
		return bson.D{{Key: "replayctl.provenance", Value: r.prov}}
	}
	ext := r.sess.Replayctl
	if ext == nil || ext.Provenance == nil || ext.Provenance.EndOffsetsAt == nil {
		return nil
	}
	p := *ext.Provenance
	p.EndOffsets, p.EndOffsetsAt = nil, nil
	r.sess.Replayctl = withProvenance(ext, &p)
	return bson.D{{Key: "replayctl.provenance.end_offsets", Value: nil}, {Key: "replayctl.provenance.end_offsets_at", Value: nil}}
}

func withProvenance(ext *contract.SessionExt, p *contract.Provenance) *contract.SessionExt {
	out := contract.SessionExt{}
	if ext != nil {
		out = *ext
	}
	out.Provenance = p
	return &out
}

// endOffsetsSet is what a Kafka run's final write adds: the end offsets
// now, so a verify knows where this run's records stop.
func (r *runner) endOffsetsSet(ctx context.Context) bson.D {
	if r.sess.DryRun || r.sess.Config.Target != contract.TargetKafka {
		return nil
	}
	p := r.sess.Replayctl
	if p == nil || p.Provenance == nil {
		return nil // an older session: verify reads its whole topics anyway
	}
	offs, ok := r.svc.endOffsets(ctx, r.sess)
	if !ok {
		return nil
	}
	now := r.svc.now().Truncate(time.Millisecond)
	return bson.D{{Key: "replayctl.provenance.end_offsets", Value: offs}, {Key: "replayctl.provenance.end_offsets_at", Value: now}}
}

// dupWindows is the runner's list of possible-duplicate windows.
type dupWindows struct {
	mu      sync.Mutex
	list    []contract.DuplicateWindow
	open    int                  // index of the window whose Through is not known yet; -1 if none
	ckptPos *contract.Checkpoint // the last checkpoint written
}

func newDupWindows(list []contract.DuplicateWindow, at *contract.Checkpoint) *dupWindows {
	return &dupWindows{list: append([]contract.DuplicateWindow(nil), list...), open: -1, ckptPos: at}
}

// add records a window of count events after the last written checkpoint;
// through is its end when already known.
func (d *dupWindows) add(epoch, count int64, through *contract.Checkpoint) {
	if count <= 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.list = append(d.list, contract.DuplicateWindow{Epoch: epoch, After: d.ckptPos, Through: through, Count: count})
	d.open = -1
	if through == nil {
		d.open = len(d.list) - 1
	}
	if len(d.list) > contract.MaxDuplicateWindows {
		var at int
		d.list, at = mergeOldest(d.list, d.open)
		if d.open > at {
			d.open--
		}
	}
}

// mergeOldest folds the two oldest neighbouring windows into one that
// spans both and everything between them (coarser, never narrower) and
// returns where it put it. The later of the two must have a known end: a
// window without one (its run crashed before closing it) is measured by
// its count from its own start, which a merged window starting earlier
// would not reach. open is the window still being filled, never merged.
func mergeOldest(list []contract.DuplicateWindow, open int) ([]contract.DuplicateWindow, int) {
	at := 0
	for i := 0; i+1 < len(list); i++ {
		if list[i+1].Through != nil && i+1 != open {
			at = i
			break
		}
	}
	a, b := list[at], list[at+1]
	m := contract.DuplicateWindow{Epoch: b.Epoch, After: a.After, Through: b.Through, Count: a.Count + b.Count, Merged: true}
	if b.Through == nil && at+2 < len(list) {
		// No neighbour has an end (every later run crashed): end at the
		// checkpoint the next run resumed from, past what b's run acked.
		m.Through = list[at+2].After
	}
	out := append(append(list[:at:at], m), list[at+2:]...)
	return out, at
}

// close sets the end of the open window: the position of the last event
// the taker's budget covered.
func (d *dupWindows) close(pos position) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.open >= 0 && pos.ok {
		d.list[d.open].Through = pos.checkpoint()
		d.open = -1
	}
}

// checkpointed remembers the position the last checkpoint wrote.
func (d *dupWindows) checkpointed(pos position) {
	if !pos.ok {
		return
	}
	d.mu.Lock()
	d.ckptPos = pos.checkpoint()
	d.mu.Unlock()
}

// set is the windows as a checkpoint writes them; nil when there are none.
func (d *dupWindows) set() bson.D {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.list) == 0 {
		return nil
	}
	return bson.D{{Key: "replayctl.duplicate_windows", Value: append([]contract.DuplicateWindow(nil), d.list...)}}
}

// tookDup counts an event sent against the possible-duplicate budget and
// closes the open window at the last event the budget covers.
func (r *runner) tookDup(pos position) {
	if r.dups.take() {
		r.windows.close(pos)
	}
}
