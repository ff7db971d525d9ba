package dlq

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/store"
)

// ErrorGroup is the messages that share one normalised error.
type ErrorGroup struct {
	Pattern    string    `json:"pattern" yaml:"pattern"`
	Example    string    `json:"example" yaml:"example"` // the newest message's error as stored
	Count      int64     `json:"count" yaml:"count"`
	Topics     []string  `json:"topics" yaml:"topics"`
	EventTypes []string  `json:"event_types" yaml:"event_types"`
	FirstSeen  time.Time `json:"first_seen" yaml:"first_seen"`
	LastSeen   time.Time `json:"last_seen" yaml:"last_seen"`
}

// Errors groups the matching messages by NormalizeError(error), newest
// LastSeen first (f.Sort = SortCount: largest first); Limit and Offset page
// the groups. Like Topics it aggregates a plain projection in Go.
func (m *Manager) Errors(ctx context.Context, f ListFilter) ([]ErrorGroup, error) {
	p, err := m.ErrorsPage(ctx, f)
	m.logSkipped(p.Skipped)
	return p.Items, err
}

// ErrorsPage is Errors with the number of groups before paging in Total and
// the documents that could not be read in Skipped.
func (m *Manager) ErrorsPage(ctx context.Context, f ListFilter) (store.Page[ErrorGroup], error) {
	if err := f.validate(); err != nil {
		return store.Page[ErrorGroup]{}, err
	}
	proj := bson.D{{Key: "error", Value: 1}, {Key: "original_topic", Value: 1}, {Key: "event.event_type", Value: 1}, {Key: "failed_at", Value: 1}}
	acc := map[string]*errorAcc{}
	patterns := map[string]string{} // identical errors are common: normalise each once
	skipped, err := m.scan(ctx, f.query(), proj, func(raw bson.Raw) error {
		msg, ok := raw.Lookup("error").StringValueOK()
		if !ok {
			return errNoError
		}
		p, seen := patterns[msg]
		if !seen {
			p = NormalizeError(msg)
			patterns[msg] = p
		}
		a := acc[p]
		if a == nil {
			a = &errorAcc{g: ErrorGroup{Pattern: p}, topics: map[string]bool{}, types: map[string]bool{}}
			acc[p] = a
		}
		a.add(raw, msg)
		return nil
	})
	if err != nil {
		return store.Page[ErrorGroup]{}, fmt.Errorf("group DLQ errors: %w", err)
	}
	out := make([]ErrorGroup, 0, len(acc))
	for _, a := range acc {
		out = append(out, a.group())
	}
	sortGroups(out, f.Sort)
	return store.Page[ErrorGroup]{Items: page(out, f.Limit, f.Offset), Total: int64(len(out)), Skipped: skipped}, nil
}

var errNoError = errors.New("error is missing or not a string")

type errorAcc struct {
	g             ErrorGroup
	topics, types map[string]bool
}

func (a *errorAcc) add(raw bson.Raw, msg string) {
	a.g.Count++
	if t, ok := raw.Lookup("original_topic").StringValueOK(); ok {
		a.topics[t] = true
	}
	if t, ok := raw.Lookup("event", "event_type").StringValueOK(); ok {
		a.types[t] = true
	}
	dt, ok := raw.Lookup("failed_at").DateTimeOK()
	if !ok {
		if a.g.Example == "" {
			a.g.Example = msg
		}
		return
	}
	at := time.UnixMilli(dt).UTC()
	if a.g.FirstSeen.IsZero() || at.Before(a.g.FirstSeen) {
		a.g.FirstSeen = at
	}
	if a.g.Example == "" || at.After(a.g.LastSeen) {
		a.g.LastSeen, a.g.Example = at, msg
	}
}

func (a *errorAcc) group() ErrorGroup {
	g := a.g
	g.Topics, g.EventTypes = sortedKeys(a.topics), sortedKeys(a.types)
	return g
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortGroups(gs []ErrorGroup, by string) {
	sort.Slice(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if by == SortCount && a.Count != b.Count {
			return a.Count > b.Count
		}
		if !a.LastSeen.Equal(b.LastSeen) {
			return a.LastSeen.After(b.LastSeen)
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Pattern < b.Pattern
	})
}

func page[T any](s []T, limit, offset int64) []T {
	if offset > 0 {
		if offset >= int64(len(s)) {
			return s[:0]
		}
		s = s[offset:]
	}
	if limit > 0 && limit < int64(len(s)) {
		s = s[:limit]
	}
	return s
}
