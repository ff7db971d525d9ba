package dlq

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
)

// newestFirst is List's order: newest failure first, ties by _id.
var newestFirst = bson.D{{Key: "failed_at", Value: -1}, {Key: "_id", Value: -1}}

// List returns the matching messages, newest failure first, and how many
// match in total ignoring Limit and Offset. Documents that do not decode are
// logged and skipped; ListPage reports them.
func (m *Manager) List(ctx context.Context, f ListFilter) ([]contract.DLQMessage, int64, error) {
	page, err := m.ListPage(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	m.logSkipped(page.Skipped)
	return page.Items, page.Total, nil
}

// ListPage is List with the documents that could not be read (written by
// other software with wrong types) in Skipped instead of the log.
func (m *Manager) ListPage(ctx context.Context, f ListFilter) (store.Page[contract.DLQMessage], error) {
	if err := f.validate(); err != nil {
		return store.Page[contract.DLQMessage]{}, err
	}
	q := f.query()
	opts := options.Find().SetSort(newestFirst).SetBatchSize(1000)
	if f.Limit > 0 {
		opts.SetLimit(f.Limit)
	}
	if f.Offset > 0 {
		opts.SetSkip(f.Offset)
	}
	msgs, skipped, err := m.findPage(ctx, q, opts)
	if err != nil {
		return store.Page[contract.DLQMessage]{}, fmt.Errorf("list DLQ messages: %w", err)
	}
	// Without a full page or an offset the documents read are all there is,
	// which spares a second scan on the embedded server.
	seen := int64(len(msgs) + len(skipped))
	total := int64(len(msgs))
	if f.Limit > 0 && seen == f.Limit || f.Offset > 0 {
		if total, err = m.count(ctx, q); err != nil {
			return store.Page[contract.DLQMessage]{}, err
		}
	}
	return store.Page[contract.DLQMessage]{Items: msgs, Total: total, Skipped: skipped}, nil
}

func (m *Manager) count(ctx context.Context, q bson.D) (int64, error) {
	return m.Store.DLQ.Count(ctx, q)
}

// find decodes every matching message, logging and skipping malformed
// documents.
func (m *Manager) find(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) ([]contract.DLQMessage, error) {
	out, skipped, err := m.findPage(ctx, q, opts)
	m.logSkipped(skipped)
	return out, err
}

// findPage decodes every matching message one by one; a malformed one is
// returned in skipped, never fatal.
func (m *Manager) findPage(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) ([]contract.DLQMessage, []store.Skipped, error) {
	cur, err := m.Store.DLQ.Find(ctx, q, opts)
	if err != nil {
		return nil, nil, store.Wrap(err)
	}
	return store.DecodeEach(ctx, cur, m.Store.DLQ.Name(), normalizeMessage)
}

// normalizeMessage rejects a message without an event id and detaches it
// from the cursor's buffer.
func normalizeMessage(msg *contract.DLQMessage) error {
	if msg.EventID() == "" {
		return fmt.Errorf("event.event_id is missing")
	}
	// The Raw event aliases the cursor's buffer, which the next batch reuses.
	msg.Event = append(bson.Raw(nil), msg.Event...)
	msg.FailedAt = msg.FailedAt.UTC()
	msg.CreatedAt = msg.CreatedAt.UTC()
	return nil
}

// SkipReporter is implemented by Metrics that take over reporting the
// documents reads skip: the worker warns once per document and counts it,
// where a plain log line would repeat on every poll.
type SkipReporter interface {
	DocumentsSkipped(log *slog.Logger, skipped []store.Skipped)
}

func (m *Manager) logSkipped(skipped []store.Skipped) {
	if len(skipped) == 0 {
		return
	}
	if r, ok := m.Metrics.(SkipReporter); ok {
		r.DocumentsSkipped(m.log(), skipped)
		return
	}
	for _, s := range skipped {
		m.log().Warn("skipping malformed DLQ document", "_id", s.ID, "error", s.Err)
	}
}

func rawEventID(raw bson.Raw) string {
	v, err := raw.LookupErr("event", "event_id")
	if err != nil {
		return ""
	}
	s, _ := v.StringValueOK()
	return s
}

// maxCandidates bounds how many ids an ambiguous prefix lists.
const maxCandidates = 10

// Get loads one message by event id or a unique prefix of it. No match is
// exit 3; an ambiguous prefix is exit 2 listing the candidates.
func (m *Manager) Get(ctx context.Context, idOrPrefix string) (*contract.DLQMessage, error) {
	id := strings.TrimSpace(idOrPrefix)
	if id == "" {
		return nil, fault.Invalidf("empty DLQ message id")
	}
	msgs, err := m.resolveIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return &msgs[0], nil
}

// Inspect loads one message for `show`: by event id or prefix as Get does,
// or by the document's _id (the id the skipped list names). A document with
// fields of the wrong type is read as far as it can be, and the fields that
// could not be read are returned.
func (m *Manager) Inspect(ctx context.Context, idOrPrefix string) (*contract.DLQMessage, []contract.FieldProblem, error) {
	msg, err := m.Get(ctx, idOrPrefix)
	if fault.KindOf(err) != fault.NotFound {
		if err != nil {
			return nil, nil, err
		}
		return msg, extraProblems(msg, nil), nil
	}
	raw, rerr := m.findRaw(ctx, strings.TrimSpace(idOrPrefix))
	if rerr != nil {
		return nil, nil, rerr
	}
	if raw == nil {
		return nil, nil, err
	}
	lenient, problems := contract.DecodeDLQLenient(raw)
	return &lenient, extraProblems(&lenient, problems), nil
}

// extraProblems adds the fields of replayctl's own that msg's decoding
// leaves unchecked (they live in Extra) to problems.
func extraProblems(msg *contract.DLQMessage, problems []contract.FieldProblem) []contract.FieldProblem {
	if _, _, err := SendFailures(msg); err != nil {
		problems = append(problems, contract.FieldProblem{Field: SendFailuresField, Error: err.Error()})
	}
	return problems
}

// findRaw finds the one document, decodable or not, whose _id is id or whose
// event.event_id starts with it; nil when there is not exactly one.
func (m *Manager) findRaw(ctx context.Context, id string) (bson.Raw, error) {
	or := bson.A{bson.D{{Key: "event.event_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(id)}}}}}
	if oid, err := bson.ObjectIDFromHex(id); err == nil {
		or = append(or, bson.D{{Key: "_id", Value: oid}})
	}
	or = append(or, bson.D{{Key: "_id", Value: id}})
	cur, err := m.Store.DLQ.Find(ctx, bson.D{{Key: "$or", Value: or}}, options.Find().SetLimit(2))
	if err != nil {
		return nil, fmt.Errorf("look up DLQ message %s: %w", id, store.Wrap(err))
	}
	defer cur.Close(ctx)
	var found []bson.Raw
	for cur.Next(ctx) {
		found = append(found, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("look up DLQ message %s: %w", id, store.Wrap(err))
	}
	if len(found) != 1 {
		return nil, nil
	}
	return found[0], nil
}

// resolveIDs resolves ids or prefixes in order: exact matches in one query,
// the rest by prefix. Unknown ids are one exit-3 error naming all of them.
func (m *Manager) resolveIDs(ctx context.Context, ids []string) ([]contract.DLQMessage, error) {
	exact, err := m.find(ctx, bson.D{{Key: "event.event_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find())
	if err != nil {
		return nil, fmt.Errorf("look up DLQ messages: %w", err)
	}
	byID := make(map[string]contract.DLQMessage, len(exact))
	for _, msg := range exact {
		byID[msg.EventID()] = msg
	}
	out := make([]contract.DLQMessage, 0, len(ids))
	var missing []string
	for _, id := range ids {
		if msg, ok := byID[id]; ok {
			out = append(out, msg)
			continue
		}
		msg, err := m.byPrefix(ctx, id)
		if fault.KindOf(err) == fault.NotFound {
			missing = append(missing, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *msg)
	}
	if len(missing) > 0 {
		return nil, notFoundIDs(missing)
	}
	return out, nil
}

func notFoundIDs(ids []string) error {
	if len(ids) == 1 {
		return fault.NotFoundf("DLQ message %q not found", ids[0])
	}
	return fault.NotFoundf("DLQ messages not found: %s", strings.Join(ids, ", "))
}

func (m *Manager) byPrefix(ctx context.Context, prefix string) (*contract.DLQMessage, error) {
	q := bson.D{{Key: "event.event_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(prefix)}}}}
	found, err := m.find(ctx, q, options.Find().SetLimit(maxCandidates+1))
	if err != nil {
		return nil, fmt.Errorf("look up DLQ message %s: %w", prefix, err)
	}
	switch len(found) {
	case 0:
		return nil, fault.NotFoundf("DLQ message %q not found", prefix)
	case 1:
		return &found[0], nil
	}
	ids := make([]string, len(found))
	for i := range found {
		ids[i] = found[i].EventID()
	}
	sort.Strings(ids)
	more := len(ids) > maxCandidates
	if more {
		ids = ids[:maxCandidates]
	}
	return nil, &fault.AmbiguousError{What: "DLQ message", Prefix: prefix, Candidates: ids, More: more}
}

// InvalidRecord is a quarantined DLQ topic record (`dlq_invalid`).
type InvalidRecord struct {
	Topic      string            `bson:"topic"`
	Partition  int32             `bson:"partition"`
	Offset     int64             `bson:"offset"`
	Key        []byte            `bson:"key"`
	Value      []byte            `bson:"value"`
	Headers    map[string]string `bson:"headers"`
	Reason     string            `bson:"reason"`
	ReceivedAt time.Time         `bson:"received_at"`
}

// ListInvalid returns quarantined records, newest first, their total, and
// the documents that could not be read.
func (m *Manager) ListInvalid(ctx context.Context, limit, offset int64) (store.Page[InvalidRecord], error) {
	if limit < 0 || offset < 0 {
		return store.Page[InvalidRecord]{}, fault.Invalidf("invalid limit %d or offset %d: must be 0 or more", limit, offset)
	}
	c := m.Store.DLQInvalid()
	opts := options.Find().SetSort(bson.D{{Key: "received_at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(limit)
	}
	if offset > 0 {
		opts.SetSkip(offset)
	}
	cur, err := c.Find(ctx, bson.D{}, opts)
	if err != nil {
		return store.Page[InvalidRecord]{}, fmt.Errorf("list quarantined DLQ records: %w", store.Wrap(err))
	}
	out, skipped, err := store.DecodeEach[InvalidRecord](ctx, cur, InvalidCollection, nil)
	if err != nil {
		return store.Page[InvalidRecord]{}, fmt.Errorf("list quarantined DLQ records: %w", err)
	}
	total, err := c.Count(ctx)
	if err != nil {
		return store.Page[InvalidRecord]{}, fmt.Errorf("count quarantined DLQ records: %w", err)
	}
	return store.Page[InvalidRecord]{Items: out, Total: total, Skipped: skipped}, nil
}
