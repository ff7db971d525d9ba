// Package seed fills a database with realistic platform history: events in
// the exact shape the platform's services store (see shared/CONTRACT.md)
// and dead letter queue messages, for `replayctl dev`, demos and tests.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// batchSize bounds one InsertMany: large enough to amortise round trips,
// small enough to keep each SQLite write on FerretDB short.
const batchSize = 1000

// Options configures Seed.
type Options struct {
	// Events is the exact number of events inserted.
	Events int
	// DLQMessages is the number of DLQ messages; 0 means max(20, Events/50),
	// negative means none.
	DLQMessages int
	// Now anchors the history: timestamps fall in the 3 days before it.
	// Zero means time.Now().
	Now time.Time
	// Rand is the only source of randomness; a fixed seed gives the same
	// documents (apart from _id) on every run. Nil means a fixed seed, so
	// seeding the same database twice needs a Rand with another seed (the
	// event ids would collide with the unique index).
	Rand *rand.Rand
	// EventsCollection and DLQCollection default to "events" and
	// "dlq_messages".
	EventsCollection, DLQCollection string
	// TopicPrefix is prepended to event types to form original_topic.
	TopicPrefix string
}

// Result says what Seed inserted.
type Result struct {
	Events      int
	Executions  int // distinct execution ids among the events
	DLQMessages int
	DLQByStatus map[string]int
}

// Seed creates the seed's indexes and inserts opts.Events events, then the
// DLQ messages, in unordered batches. DLQ messages carry copies of stored
// events (when there are fewer events than messages, of extra events that
// are not stored).
func Seed(ctx context.Context, db *mongo.Database, opts Options) (Result, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Result{}, err
	}
	events, dlq := db.Collection(opts.EventsCollection), db.Collection(opts.DLQCollection)
	if err := EnsureIndexes(ctx, events, dlq); err != nil {
		return Result{}, err
	}
	g := newGenerator(opts.Rand, opts.Now, opts.TopicPrefix)
	var res Result
	sample, err := g.insertEvents(ctx, events, opts.Events, opts.DLQMessages, &res)
	if err != nil {
		return res, err
	}
	msgs, byStatus := g.dlqMessages(g.topUp(sample, opts.DLQMessages))
	if err := insertBatches(ctx, dlq, msgs); err != nil {
		return res, err
	}
	res.DLQMessages, res.DLQByStatus = len(msgs), byStatus
	return res, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Events < 0 {
		return o, fmt.Errorf("seed: Events must not be negative, got %d", o.Events)
	}
	switch {
	case o.DLQMessages == 0:
		o.DLQMessages = max(20, o.Events/50)
	case o.DLQMessages < 0:
		o.DLQMessages = 0
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(1, 2))
	}
	if o.EventsCollection == "" {
		o.EventsCollection = "events"
	}
	if o.DLQCollection == "" {
		o.DLQCollection = "dlq_messages"
	}
	return o, nil
}

// insertEvents streams exactly n events into coll, batch by batch, so memory
// stays flat however many are asked for. It returns a uniform sample of k of
// them (reservoir sampling) to become DLQ messages.
func (g *generator) insertEvents(ctx context.Context, coll *mongo.Collection, n, k int, res *Result) ([]event, error) {
	sample := make([]event, 0, k)
	batch := make([]any, 0, min(n, batchSize))
	for res.Events < n {
		evs, isExec := g.nextFlow()
		evs = evs[:min(len(evs), n-res.Events)] // the last flow may be cut: an execution in flight
		if isExec {
			res.Executions++
		}
		for _, ev := range evs {
			sample = g.reservoir(sample, k, res.Events, ev)
			batch = append(batch, ev.doc)
			res.Events++
			if len(batch) == batchSize {
				if err := insertBatches(ctx, coll, batch); err != nil {
					return nil, err
				}
				batch = batch[:0]
			}
		}
	}
	return sample, insertBatches(ctx, coll, batch)
}

// reservoir keeps a uniform sample of k among the events seen so far;
// seen is the number of events before ev.
func (g *generator) reservoir(sample []event, k, seen int, ev event) []event {
	if len(sample) < k {
		return append(sample, ev)
	}
	if j := g.r.IntN(seen + 1); j < k {
		sample[j] = ev
	}
	return sample
}

// topUp adds events of unstored flows when fewer events than DLQ messages
// were asked for, so every message still has its own event.
func (g *generator) topUp(sample []event, k int) []event {
	for len(sample) < k {
		evs, _ := g.nextFlow()
		sample = append(sample, evs[:min(len(evs), k-len(sample))]...)
	}
	return sample
}

// insertBatches inserts docs in unordered InsertMany calls of batchSize.
func insertBatches(ctx context.Context, coll *mongo.Collection, docs []any) error {
	for start := 0; start < len(docs); start += batchSize {
		end := min(start+batchSize, len(docs))
		_, err := coll.InsertMany(ctx, docs[start:end], options.InsertMany().SetOrdered(false))
		if err != nil {
			return fmt.Errorf("seed: insert %d documents into %s: %w", end-start, coll.Name(), err)
		}
	}
	return nil
}
