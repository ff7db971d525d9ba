package dlq

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/store"
)

// newestFirst is List's order: newest failure first, ties by _id.
var newestFirst = bson.D{{Key: "failed_at", Value: -1}, {Key: "_id", Value: -1}}

// List returns the matching messages, newest failure first, and how many
// match in total ignoring Limit and Offset. Documents that do not decode are
// logged and skipped.
func (m *Manager) List(ctx context.Context, f ListFilter) ([]contract.DLQMessage, int64, error) {
	if err := f.validate(); err != nil {
		return nil, 0, err
	}
	q := f.query()
	opts := options.Find().SetSort(newestFirst).SetBatchSize(1000)
	if f.Limit > 0 {
		opts.SetLimit(f.Limit)
	}
	if f.Offset > 0 {
		opts.SetSkip(f.Offset)
	}
	msgs, seen, err := m.findCounted(ctx, q, opts)
	if err != nil {
		return nil, 0, fmt.Errorf("list DLQ messages: %w", err)
	}
	// Without a full page or an offset the documents read are all there is,
	// which spares a second scan on the embedded server.
	total := int64(seen)
	if f.Limit > 0 && int64(seen) == f.Limit || f.Offset > 0 {
		if total, err = m.count(ctx, q); err != nil {
			return nil, 0, err
		}
	}
	return msgs, total, nil
}

func (m *Manager) count(ctx context.Context, q bson.D) (int64, error) {
	return m.Store.DLQ.Count(ctx, q)
}

// find decodes every matching message, skipping malformed documents.
func (m *Manager) find(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) ([]contract.DLQMessage, error) {
	out, _, err := m.findCounted(ctx, q, opts)
	return out, err
}

// findCounted is find that also reports how many documents it read,
// malformed ones included.
func (m *Manager) findCounted(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) ([]contract.DLQMessage, int, error) {
	cur, err := m.Store.DLQ.Find(ctx, q, opts)
	if err != nil {
		return nil, 0, err
	}
	defer cur.Close(ctx)
	var out []contract.DLQMessage
	seen := 0
	for cur.Next(ctx) {
		seen++
		if msg, ok := m.decode(cur.Current); ok {
			out = append(out, msg)
		}
	}
	return out, seen, store.Wrap(cur.Err())
}

// decode reads one dlq_messages document; a malformed one is logged and
// reported as not ok, never fatal.
func (m *Manager) decode(raw bson.Raw) (contract.DLQMessage, bool) {
	var msg contract.DLQMessage
	err := bson.Unmarshal(raw, &msg)
	if err == nil && msg.EventID() == "" {
		err = fmt.Errorf("event.event_id is missing")
	}
	if err != nil {
		m.log().Warn("skipping malformed DLQ document", "_id", raw.Lookup("_id").String(), "event_id", rawEventID(raw), "error", err)
		return msg, false
	}
	// The Raw event aliases the cursor's buffer, which the next batch reuses.
	msg.Event = append(bson.Raw(nil), msg.Event...)
	msg.FailedAt = msg.FailedAt.UTC()
	msg.CreatedAt = msg.CreatedAt.UTC()
	return msg, true
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
		return nil, exitcode.Usagef("empty DLQ message id")
	}
	msgs, err := m.resolveIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return &msgs[0], nil
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
		if exitcode.Of(err) == exitcode.NotFound {
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
		return exitcode.NotFoundf("DLQ message %q not found", ids[0])
	}
	return exitcode.NotFoundf("DLQ messages not found: %s", strings.Join(ids, ", "))
}

func (m *Manager) byPrefix(ctx context.Context, prefix string) (*contract.DLQMessage, error) {
	q := bson.D{{Key: "event.event_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(prefix)}}}}
	found, err := m.find(ctx, q, options.Find().SetLimit(maxCandidates+1))
	if err != nil {
		return nil, fmt.Errorf("look up DLQ message %s: %w", prefix, err)
	}
	switch len(found) {
	case 0:
		return nil, exitcode.NotFoundf("DLQ message %q not found", prefix)
	case 1:
		return &found[0], nil
	}
	ids := make([]string, len(found))
	for i := range found {
		ids[i] = found[i].EventID()
	}
	sort.Strings(ids)
	more := ""
	if len(ids) > maxCandidates {
		ids, more = ids[:maxCandidates], ", ..."
	}
	return nil, exitcode.WithHint(
		exitcode.Usagef("DLQ message id prefix %q is ambiguous: matches %s%s", prefix, strings.Join(ids, ", "), more),
		"give more characters of the id")
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

// ListInvalid returns quarantined records, newest first, and their total.
func (m *Manager) ListInvalid(ctx context.Context, limit, offset int64) ([]InvalidRecord, int64, error) {
	if limit < 0 || offset < 0 {
		return nil, 0, exitcode.Usagef("invalid limit %d or offset %d: must be 0 or more", limit, offset)
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
		return nil, 0, fmt.Errorf("list quarantined DLQ records: %w", err)
	}
	out, err := decodeAll[InvalidRecord](ctx, m, InvalidCollection, cur)
	if err != nil {
		return nil, 0, fmt.Errorf("list quarantined DLQ records: %w", err)
	}
	total, err := c.Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count quarantined DLQ records: %w", err)
	}
	return out, total, nil
}

func decodeAll[T any](ctx context.Context, m *Manager, collection string, cur *mongo.Cursor) ([]T, error) {
	defer cur.Close(ctx)
	var out []T
	for cur.Next(ctx) {
		var v T
		if err := cur.Decode(&v); err != nil {
			m.log().Warn("skipping malformed document", "collection", collection, "_id", cur.Current.Lookup("_id").String(), "error", err)
			continue
		}
		out = append(out, v)
	}
	return out, store.Wrap(cur.Err())
}
