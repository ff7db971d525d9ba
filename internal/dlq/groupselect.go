package dlq

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

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
// message once, as Errors does, and matches in Go. The read is unsorted
// and the newest are kept as they pass: FerretDB sorts in memory, a cost
// per action that grows with the whole backlog.
func (m *Manager) SelectGroup(ctx context.Context, pattern string, limit int) (*GroupSelection, error) {
	if limit <= 0 || limit > MaxGroupSelection {
		limit = MaxGroupSelection
	}
	f := ListFilter{Statuses: []contract.DLQStatus{contract.DLQPending, contract.DLQScheduled}}
	proj := bson.D{{Key: "error", Value: 1}, {Key: "event.event_id", Value: 1}, {Key: "failed_at", Value: 1}}
	cur, err := m.Store.DLQ.Find(ctx, f.query(), options.Find().SetProjection(proj).SetBatchSize(1000))
	if err != nil {
		return nil, fmt.Errorf("select error group: %w", store.Wrap(err))
	}
	defer cur.Close(ctx)
	sel := &GroupSelection{}
	keep := newestMembers{n: limit}
	patterns := map[string]string{}
	for cur.Next(ctx) {
		ref, match, err := groupMember(cur.Current, pattern, patterns)
		if err != nil {
			sel.Skipped = append(sel.Skipped, store.Skipped{ID: store.DocID(cur.Current), Collection: m.Store.DLQ.Name(), Err: err})
			continue
		}
		if !match {
			continue
		}
		sel.Matched++
		keep.add(ref)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("select error group: %w", store.Wrap(err))
	}
	sel.EventIDs = keep.ids()
	m.logSkipped(sel.Skipped)
	return sel, nil
}

var errNoFailedAt = errors.New("failed_at is missing or not a date")

// groupMemberRef is what a selection keeps of one member.
type groupMemberRef struct {
	eventID  string
	failedAt time.Time
}

// groupMember reads one projected message: its event id and failure time,
// and whether its error belongs to pattern. seen caches the normalisation
// of each error. A failed_at the full decode would refuse is refused here
// too, so the group counts only what an action can act on.
func groupMember(raw bson.Raw, pattern string, seen map[string]string) (groupMemberRef, bool, error) {
	msg, ok := raw.Lookup("error").StringValueOK()
	if !ok {
		return groupMemberRef{}, false, errNoError
	}
	p, ok := seen[msg]
	if !ok {
		p = NormalizeError(msg)
		seen[msg] = p
	}
	if p != pattern {
		return groupMemberRef{}, false, nil
	}
	id, ok := raw.Lookup("event", "event_id").StringValueOK()
	if !ok || id == "" {
		return groupMemberRef{}, false, errNoEventID
	}
	at, ok := raw.Lookup("failed_at").DateTimeOK()
	if !ok {
		return groupMemberRef{}, false, errNoFailedAt
	}
	return groupMemberRef{eventID: id, failedAt: time.UnixMilli(at).UTC()}, true, nil
}

// newestMembers keeps the n newest members offered, in a min-heap whose
// root is the oldest kept: memory is bounded by n, not by the backlog.
type newestMembers struct {
	n    int
	heap []groupMemberRef
}

// older orders members by failure time, then event id, as the sorted read
// (failed_at, _id descending) did.
func older(a, b groupMemberRef) bool {
	if !a.failedAt.Equal(b.failedAt) {
		return a.failedAt.Before(b.failedAt)
	}
	return a.eventID < b.eventID
}

func (k *newestMembers) Len() int           { return len(k.heap) }
func (k *newestMembers) Less(i, j int) bool { return older(k.heap[i], k.heap[j]) }
func (k *newestMembers) Swap(i, j int)      { k.heap[i], k.heap[j] = k.heap[j], k.heap[i] }
func (k *newestMembers) Push(x any)         { k.heap = append(k.heap, x.(groupMemberRef)) }
func (k *newestMembers) Pop() any {
	last := k.heap[len(k.heap)-1]
	k.heap = k.heap[:len(k.heap)-1]
	return last
}

func (k *newestMembers) add(m groupMemberRef) {
	if len(k.heap) < k.n {
		heap.Push(k, m)
		return
	}
	if k.n > 0 && older(k.heap[0], m) {
		k.heap[0] = m
		heap.Fix(k, 0)
	}
}

// ids are the kept members' event ids, newest first.
func (k *newestMembers) ids() []string {
	sorted := slices.Clone(k.heap)
	slices.SortFunc(sorted, func(a, b groupMemberRef) int {
		switch {
		case older(b, a):
			return -1
		case older(a, b):
			return 1
		}
		return 0
	})
	out := make([]string, len(sorted))
	for i := range sorted {
		out[i] = sorted[i].eventID
	}
	return out
}
