package verify

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

// Service verifies sessions.
type Service struct {
	Store       *store.Store
	TopicPrefix string
	// Consumer builds a Kafka client with the deployment's settings plus
	// opts; verify closes what it builds.
	Consumer func(opts ...kgo.Opt) (*kgo.Client, error)
	// Actor names who verifies, in the stored summary.
	Actor string
	Now   func() time.Time
	// Readers is how many clients read partitions in parallel (0: 4).
	Readers int
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Verify checks the session (an id or unique prefix) against its target,
// stores the summary in the session and returns the report. A session that
// has not ended, a dry run, or a target verify cannot read is refused.
func (s *Service) Verify(ctx context.Context, id string) (*Report, error) {
	sess, err := s.Store.Sessions.Resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := Verifiable(sess); err != nil {
		return nil, err
	}
	rep := &Report{SessionID: sess.SessionID, Status: sess.Status, Target: sess.Config.Target,
		Warnings: []string{}, Sources: []Source{}, VerifiedBy: s.Actor}
	if sess.Status != contract.StatusCompleted {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the session ended %s, perhaps before the end of its selection: events it never reached count as missing", sess.Status))
	}
	if ext := sess.Replayctl; ext != nil && ext.Provenance != nil {
		if b := ext.Provenance.StoredBefore; b != nil {
			rep.StoredBefore = b.Hex()
		} else {
			rep.UpperBound = ext.Provenance.UpperBound
		}
	} else {
		rep.Warnings = append(rep.Warnings, "the session ran before replayctl recorded provenance: its selection has no insertion bound, so events stored since it ran count as expected")
	}
	sel, err := s.selection(ctx, sess)
	if err != nil {
		return nil, err
	}
	rep.Skipped = sel.skipped
	if sel.set.dupKey > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d event id(s) occur more than once in the selection; only the first copy of each is matched", sel.set.dupKey))
	}
	t := newTally(sel.set)
	began := time.Now()
	switch sess.Config.Target {
	case contract.TargetKafka:
		err = s.readKafka(ctx, sess, sel.types, t, rep)
	default:
		err = readFile(ctx, sess, t, rep)
	}
	if err != nil {
		return nil, err
	}
	rep.ReadSeconds = time.Since(began).Seconds()
	if rep.ReadSeconds > 0 {
		rep.ReadRate = float64(rep.Scanned) / rep.ReadSeconds
	}
	rep.RecordsRead, rep.Unreadable = t.records.Load(), t.unreadable.Load()
	c := t.compare(sel.spans)
	if err := s.setAsideGone(ctx, &c); err != nil {
		return nil, err
	}
	rep.fill(c, len(windowsOf(sess)))
	warnShrunk(sess, rep)
	if err := s.describeMissing(ctx, sel.set, c.missingIdx, rep); err != nil {
		return nil, err
	}
	if rep.Unreadable > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d record(s) of the session had no readable event id", rep.Unreadable))
	}
	rep.VerifiedAt = s.now().Truncate(time.Millisecond)
	// The report stands without its stored summary: print it, and say so.
	if err := s.Store.Sessions.SetVerification(ctx, sess.SessionID, rep.Summary()); err != nil {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the summary was not stored in the session: %v", err))
	}
	return rep, nil
}

// Verifiable refuses what cannot be verified: a session that has not
// ended, a dry run, and targets verify cannot read back.
func Verifiable(sess *contract.Session) error {
	switch {
	case sess.DryRun:
		return fault.Conflictf("session %s was a dry run: nothing was sent, so there is nothing to verify", sess.SessionID)
	case sess.Status == contract.StatusRunning:
		return fault.Conflictf("session %s is still running; verify after it ends", sess.SessionID)
	case !sess.Status.Terminal():
		return fault.Conflictf("session %s is %s; verify after it ends (completed, failed or cancelled)", sess.SessionID, sess.Status)
	}
	switch sess.Config.Target {
	case contract.TargetKafka:
		return nil
	case contract.TargetFile:
		if p := sess.Config.TargetFilePath; p == nil || *p == "" || *p == "-" {
			return fault.Invalidf("session %s wrote to stdout, which cannot be read back to verify", sess.SessionID)
		}
		return nil
	}
	return fault.Invalidf("session %s has target %q; verify reads back kafka and file targets only", sess.SessionID, sess.Config.Target)
}

func windowsOf(sess *contract.Session) []contract.DuplicateWindow {
	if sess.Replayctl == nil {
		return nil
	}
	return sess.Replayctl.DuplicateWindows
}

// setAsideGone moves the kept unexpected ids that the event store no
// longer holds out of the unexpected ones: an event TTL-expired or deleted
// after the run delivered it is outside today's selection but was in the
// run's. One query, bounded by maxUnexpectedKept; unexpected ids past that
// bound stay unexpected.
func (s *Service) setAsideGone(ctx context.Context, c *counts) error {
	if len(c.unexpectedList) == 0 {
		return nil
	}
	ids := make([]string, len(c.unexpectedList))
	for i, u := range c.unexpectedList {
		ids[i] = u.EventID
	}
	stored, err := s.Store.Events.StoredEventIDs(ctx, ids)
	if err != nil {
		return fmt.Errorf("look up unexpected events: %w", err)
	}
	kept := c.unexpectedList[:0]
	for _, u := range c.unexpectedList {
		if stored[u.EventID] {
			kept = append(kept, u)
		} else {
			c.gone = append(c.gone, u)
		}
	}
	c.unexpectedList = kept
	c.unexpected -= int64(len(c.gone))
	return nil
}

// warnShrunk warns when delivered events were set aside as no longer
// stored, and when the selection is now smaller than the session's total at
// its first start.
func warnShrunk(sess *contract.Session, rep *Report) {
	if rep.NoLongerStored > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d delivered event(s) are no longer in the event store (expired or deleted since the run): they cannot be checked against the selection and are not counted as unexpected", rep.NoLongerStored))
	}
	if total := sess.TotalEvents; total > 0 && rep.Expected+rep.Skipped < total {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the selection now holds %d event(s), fewer than the %d the session counted at its first start: events have expired or been deleted since", rep.Expected+rep.Skipped, total))
	}
}

// describeMissing names the first missing events with their timestamps
// and types (one query by id).
func (s *Service) describeMissing(ctx context.Context, set *idSet, idx []int, rep *Report) error {
	ids := make([]string, len(idx))
	for i, n := range idx {
		ids[i] = set.name(set.keys[n])
	}
	evs, err := s.Store.Events.ByEventIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]contract.StoredEvent, len(evs))
	for _, ev := range evs {
		byID[ev.EventID] = ev
	}
	rep.MissingEvents = make([]MissingEvent, 0, len(ids))
	for _, id := range ids {
		m := MissingEvent{EventID: id}
		if ev, ok := byID[id]; ok {
			ts := ev.Timestamp
			m.Timestamp, m.EventType = &ts, ev.EventType
		}
		rep.MissingEvents = append(rep.MissingEvents, m)
	}
	return nil
}

// topicsOf maps the selection's event types to the session's topics, with
// the topic prefix its first start recorded; a session that recorded none
// is mapped with this process's prefix, with a warning.
func (s *Service) topicsOf(sess *contract.Session, types map[string]struct{}, rep *Report) []string {
	prefix := s.TopicPrefix
	if p := provenanceOf(sess); p != nil && p.TopicPrefix != nil {
		prefix = *p.TopicPrefix
	} else if len(types) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the session recorded no topic prefix: its event types are mapped to topics with this process's prefix %q", prefix))
	}
	seen := map[string]bool{}
	var out []string
	for t := range types {
		if topic := replay.TopicFor(sess, prefix, t); !seen[topic] {
			seen[topic] = true
			out = append(out, topic)
		}
	}
	return out
}
