package dlq

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/eventedit"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
)

const purposeEdit = "edit"

// MaxRecordBytes is the largest record batch franz-go produces by default
// (kgo.ProducerBatchMaxBytes, 1,000,012 bytes), which is also Kafka's
// default max.message.bytes for a topic; replayctl's producers keep it.
const MaxRecordBytes = 1_000_012

// recordOverhead bounds what a one-record batch adds to its key, value and
// headers: the batch header (61 bytes) plus the record's varints.
const recordOverhead = 61 + 64

// EditDraft is a message's event as read for editing: what the operator
// edits (JSON) and what the save is checked against (Event, Round).
type EditDraft struct {
	EventID string
	Status  contract.DLQStatus
	Round   int64
	Event   bson.Raw
	// JSON is Event as indented JSON, what an editor shows.
	JSON []byte
	// MaxEventBytes is the most the encoded event may take so that its
	// retry record, key and headers included, fits MaxRecordBytes.
	MaxEventBytes int

	orig *eventedit.Value
}

// OpenEdit reads a message (event id or unique prefix) for editing. A
// retried or discarded message cannot be edited: its event was sent, or
// will never be.
func (m *Manager) OpenEdit(ctx context.Context, idOrPrefix string) (*EditDraft, error) {
	msg, err := m.Get(ctx, idOrPrefix)
	if err != nil {
		return nil, err
	}
	if msg.Status.Terminal() {
		return nil, fault.Conflictf("DLQ message %s is %s: only pending or scheduled messages can be edited", msg.EventID(), msg.Status)
	}
	js, err := contract.RawToJSON(msg.Event)
	if err != nil {
		return nil, fmt.Errorf("render event %s: %w", msg.EventID(), err)
	}
	orig, err := eventedit.Parse(js)
	if err != nil {
		return nil, fmt.Errorf("render event %s: %w", msg.EventID(), err)
	}
	return &EditDraft{
		EventID: msg.EventID(), Status: msg.Status, Round: msg.RetryCount, Event: msg.Event,
		JSON: orig.Indent(), MaxEventBytes: maxEventBytes(msg), orig: orig,
	}, nil
}

// Original is the event as read, parsed (callers apply --set to a copy).
func (d *EditDraft) Original() (*eventedit.Value, error) { return eventedit.Parse(d.JSON) }

func maxEventBytes(msg *contract.DLQMessage) int {
	n := MaxRecordBytes - recordOverhead - len(msg.EventID())
	for k, v := range msg.Headers {
		n -= len(k) + len(v) + 10
	}
	// The redrive headers, sized generously: names, a count, an id, a
	// topic and a timestamp.
	return n - 256 - len(msg.EventID()) - len(msg.OriginalTopic)
}

// EditOptions are who edits, why, and whether to store anything.
type EditOptions struct {
	Who    string
	Reason string
	DryRun bool
}

// EditResult is what an edit changed.
type EditResult struct {
	EventID string             `json:"event_id"`
	Changes []eventedit.Change `json:"changes"`
	// Stored is false for a dry run and for an edit that changes nothing.
	Stored bool      `json:"stored"`
	DryRun bool      `json:"dry_run"`
	EditID string    `json:"edit_id,omitempty"`
	Who    string    `json:"who,omitempty"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// Edit validates edited (the event as JSON) against the draft and, unless
// it changes nothing or o.DryRun, stores it as the message's event. It is
// the one place a message's event is changed.
//
// A save holds the message's claim for its round, as retry and discard
// do, so none of them can act on it meanwhile; under the claim it re-reads
// the message and refuses (Conflict) when it is no longer pending or
// scheduled, or when its event differs from the draft's: another edit, or
// a new failure, came first. The update is guarded on the same conditions
// for the platform's own DLQ manager, which takes no claims. The original
// event and the edit record are written before the update, so no change
// is ever without its record.
func (m *Manager) Edit(ctx context.Context, d *EditDraft, edited []byte, o EditOptions) (*EditResult, error) {
	res := &EditResult{EventID: d.EventID, DryRun: o.DryRun, Changes: []eventedit.Change{}}
	doc, changes, err := m.checkEdit(d, edited)
	if err != nil {
		return nil, err
	}
	res.Changes = changes
	if len(changes) == 0 || o.DryRun {
		return res, nil
	}
	if err := m.ensureEditIndexes(ctx); err != nil {
		return nil, err
	}
	work, cancel := m.workContext(ctx)
	defer cancel()
	set, err := m.claimAll(work, []string{d.EventID}, []int64{d.Round}, purposeEdit)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := m.releaseAll(work, set); err != nil {
			m.log().Warn("cannot release edit claim", "event_id", d.EventID, "error", err)
		}
	}()
	if !set.has(claimKey(d.EventID, d.Round)) {
		return nil, fault.Conflictf("DLQ message %s is being retried, discarded or edited by another process; try again", d.EventID)
	}
	if err := m.checkUnchanged(work, d); err != nil {
		return nil, err
	}
	now := m.nowMs()
	rec := store.DLQEdit{ID: d.EventID + "/edit/" + newToken(), EventID: d.EventID, Kind: store.DLQEditRecord,
		At: now, Who: o.Who, Reason: o.Reason, Round: d.Round, Changes: storedChanges(changes)}
	orig := store.DLQEdit{ID: store.OriginalEditID(d.EventID), EventID: d.EventID, Kind: store.DLQEditOriginal,
		At: now, Who: o.Who, Round: d.Round, Event: d.Event}
	if _, err := m.Store.DLQEdits().Insert(work, orig, rec); err != nil {
		return nil, err
	}
	if err := m.storeEvent(work, d, doc, now); err != nil {
		if uerr := m.Store.DLQEdits().Delete(work, rec.ID); uerr != nil {
			m.log().Warn("cannot undo edit record", "event_id", d.EventID, "error", uerr)
		}
		return nil, err
	}
	m.log().Info("edited", "event_id", d.EventID, "who", o.Who, "changes", len(changes))
	res.Stored, res.EditID, res.Who, res.Reason, res.At = true, rec.ID, o.Who, o.Reason, now
	return res, nil
}

// checkEdit parses and validates edited and converts it to the BSON the
// DLQ ingestion would store for the same JSON.
func (m *Manager) checkEdit(d *EditDraft, edited []byte) (bson.Raw, []eventedit.Change, error) {
	v, err := eventedit.Parse(edited)
	if err != nil {
		return nil, nil, fault.Invalidf("edited event is not valid JSON: %w", err)
	}
	if err := eventedit.Validate(d.orig, v, d.MaxEventBytes); err != nil {
		return nil, nil, fault.New(fault.Invalid, err)
	}
	changes := eventedit.Diff(d.orig, v)
	if len(changes) == 0 {
		return nil, changes, nil
	}
	doc, err := decodeEventJSON(v.Compact())
	if err != nil {
		return nil, nil, fault.Invalidf("edited event cannot be stored: %w", err)
	}
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil, nil, fault.Invalidf("edited event cannot be stored: %w", err)
	}
	// The record carries the stored event re-encoded; check that exact size.
	if js, err := contract.AppendEventJSON(nil, raw, nil); err != nil || len(js) > d.MaxEventBytes {
		return nil, nil, fault.Invalidf("edited event is %d bytes as a record, more than the %d a record may carry", len(js), d.MaxEventBytes)
	}
	return raw, changes, nil
}

// checkUnchanged re-reads the message under its claim.
func (m *Manager) checkUnchanged(ctx context.Context, d *EditDraft) error {
	fresh, err := m.byIDs(ctx, []string{d.EventID})
	if err != nil {
		return err
	}
	f, ok := fresh[d.EventID]
	switch {
	case !ok:
		return fault.NotFoundf("DLQ message %s is no longer in the DLQ", d.EventID)
	case f.Status.Terminal():
		return fault.Conflictf("DLQ message %s was %s meanwhile: it can no longer be edited", d.EventID, f.Status)
	case f.RetryCount != d.Round || !bytes.Equal(f.Event, d.Event):
		return fault.Conflictf("DLQ message %s changed since it was read (another edit or a new failure); nothing stored: edit it again", d.EventID)
	}
	return nil
}

// storeEvent sets the message's event where it is still the draft's.
func (m *Manager) storeEvent(ctx context.Context, d *EditDraft, doc bson.Raw, now time.Time) error {
	filter := bson.D{
		{Key: "event.event_id", Value: d.EventID},
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{contract.DLQPending, contract.DLQScheduled}}}},
		{Key: "retry_count", Value: d.Round},
		{Key: "event", Value: d.Event},
	}
	matched, err := m.Store.DLQ.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{
		{Key: "event", Value: doc}, {Key: "last_updated", Value: now},
	}}})
	if err != nil || matched {
		return err
	}
	// A retried update whose first reply was lost matches nothing the
	// second time: it is ours if the event is now the edited one.
	fresh, err := m.byIDs(ctx, []string{d.EventID})
	if err != nil {
		return err
	}
	if f, ok := fresh[d.EventID]; ok && bytes.Equal(f.Event, doc) {
		return nil
	}
	return fault.Conflictf("DLQ message %s changed while it was being saved; nothing stored: edit it again", d.EventID)
}

func storedChanges(cs []eventedit.Change) []store.DLQEditChange {
	out := make([]store.DLQEditChange, len(cs))
	for i, c := range cs {
		out[i] = store.DLQEditChange{Path: c.Path, Old: string(c.Old), New: string(c.New)}
	}
	return out
}

func (m *Manager) ensureEditIndexes(ctx context.Context) error {
	if err := m.Store.DLQEdits().EnsureIndexes(ctx); err != nil && !m.optionalIndexes(err) {
		return err
	}
	return nil
}

// decodeEventJSON parses an event as the DLQ ingestion parses a record's
// event, so an edited event is stored with the same types (dates, int32
// or int64, doubles). It starts one level deep, where the event sits in a
// stored message.
func decodeEventJSON(value []byte) (bson.D, error) {
	p := &jsonParser{s: value, depth: 1}
	doc, err := p.object(levelEvent)
	if err != nil {
		return nil, err
	}
	if p.peek() != 0 {
		return nil, p.errorf("trailing data after the JSON object")
	}
	return doc, nil
}

// EditHistory is what replayctl_dlq_edits knows about one message.
type EditHistory struct {
	// Original is the event before its first edit; nil if never edited.
	Original bson.Raw
	Edits    []store.DLQEdit
	// Changes are the current event's differences from Original.
	Changes []eventedit.Change
}

// Edits reads a message's edit history and diffs its current event
// against the original. Records that cannot be read are logged and left.
func (m *Manager) Edits(ctx context.Context, msg *contract.DLQMessage) (*EditHistory, error) {
	docs, skipped, err := m.Store.DLQEdits().ByEventID(ctx, msg.EventID())
	if err != nil {
		return nil, err
	}
	m.logSkipped(skipped)
	h := &EditHistory{}
	for _, d := range docs {
		switch d.Kind {
		case store.DLQEditOriginal:
			h.Original = d.Event
		case store.DLQEditRecord:
			h.Edits = append(h.Edits, d)
		}
	}
	if h.Original == nil || len(h.Edits) == 0 {
		return h, nil
	}
	h.Changes, err = diffRaw(h.Original, msg.Event)
	return h, err
}

func diffRaw(a, b bson.Raw) ([]eventedit.Change, error) {
	var vs [2]*eventedit.Value
	for i, raw := range []bson.Raw{a, b} {
		js, err := contract.RawToJSON(raw)
		if err != nil {
			return nil, err
		}
		if vs[i], err = eventedit.Parse(js); err != nil {
			return nil, err
		}
	}
	return eventedit.Diff(vs[0], vs[1]), nil
}
