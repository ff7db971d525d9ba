package dlq

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// MaxGroupSelection bounds the messages one action on an error group
// selects: a retry of more goes through `dlq retry --all --detach`, a job.
const MaxGroupSelection = 10_000

// GroupSelection is the retryable messages of one error group.
type GroupSelection struct {
	// EventIDs are the newest failures of the group, at most the limit
	// asked for.
	EventIDs []string
	// Matched counts every pending or scheduled message of the group,
	// beyond the limit too.
	Matched int64
	// Skipped are the documents that could not be read.
	Skipped []store.Skipped
}

var errNoEventID = errors.New("event.event_id is missing or not a string")

// SelectGroup finds the pending and scheduled messages whose error
// normalises to pattern (ErrorGroup.Pattern), newest failure first,
// keeping at most limit ids (0 = MaxGroupSelection). There is no query for
// a normalised error, so it reads the projection of every retryable
// message once, as Errors does, and matches in Go.
func (m *Manager) SelectGroup(ctx context.Context, pattern string, limit int) (*GroupSelection, error) {
	if limit <= 0 || limit > MaxGroupSelection {
		limit = MaxGroupSelection
	}
	f := ListFilter{Statuses: []contract.DLQStatus{contract.DLQPending, contract.DLQScheduled}}
	proj := bson.D{{Key: "error", Value: 1}, {Key: "event.event_id", Value: 1}, {Key: "failed_at", Value: 1}}
	cur, err := m.Store.DLQ.Find(ctx, f.query(), options.Find().SetProjection(proj).SetSort(newestFirst).SetBatchSize(1000))
	if err != nil {
		return nil, fmt.Errorf("select error group: %w", store.Wrap(err))
	}
	defer cur.Close(ctx)
	sel := &GroupSelection{EventIDs: []string{}}
	patterns := map[string]string{}
	for cur.Next(ctx) {
		id, match, err := groupMember(cur.Current, pattern, patterns)
		if err != nil {
			sel.Skipped = append(sel.Skipped, store.Skipped{ID: store.DocID(cur.Current), Collection: m.Store.DLQ.Name(), Err: err})
			continue
		}
		if !match {
			continue
		}
		sel.Matched++
		if len(sel.EventIDs) < limit {
			sel.EventIDs = append(sel.EventIDs, id)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("select error group: %w", store.Wrap(err))
	}
	m.logSkipped(sel.Skipped)
	return sel, nil
}

// groupMember reads one projected message: its event id and whether its
// error belongs to pattern. seen caches the normalisation of each error.
func groupMember(raw bson.Raw, pattern string, seen map[string]string) (string, bool, error) {
	msg, ok := raw.Lookup("error").StringValueOK()
	if !ok {
		return "", false, errNoError
	}
	p, ok := seen[msg]
	if !ok {
		p = NormalizeError(msg)
		seen[msg] = p
	}
	if p != pattern {
		return "", false, nil
	}
	id, ok := raw.Lookup("event", "event_id").StringValueOK()
	if !ok || id == "" {
		return "", false, errNoEventID
	}
	return id, true, nil
}
