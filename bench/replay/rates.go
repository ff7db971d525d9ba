package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/bench/internal/profiling"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

const rateDB = "bench_replay"

// rates is the measured rate comparison, in events per second: the best of
// each measurement over the rounds (samples keeps them all).
type rates struct {
	events       int
	rounds       int
	seedTook     time.Duration
	scan         float64 // raw sorted cursor read
	produce      float64 // raw async produce of the same records
	replay       float64 // create + start + run, end to end
	replayTook   time.Duration
	platform     float64 // one awaited publish + one session update per event
	platformN    int
	platformTook time.Duration
	samples      map[string][]float64
}

// filter is the one filter every measurement uses: all seeded events.
var filter = contract.Filter{}

// rates seeds the events, then measures the four rates in interleaved
// rounds: on a shared machine the load changes from minute to minute, and
// interleaving gives every measurement the same chances.
func (b *bench) rates(ctx context.Context, c config) (rates, error) {
	r := rates{events: c.events, rounds: max(c.rounds, 1), samples: map[string][]float64{}}
	var err error
	fmt.Printf("seeding %d events ... ", c.events)
	if r.seedTook, err = b.seedEvents(ctx, rateDB, c.events); err != nil {
		return r, err
	}
	fmt.Printf("%s\n", r.seedTook.Round(time.Millisecond))
	st := b.store(rateDB)
	recs, err := buildRecords(ctx, st, "raw_")
	if err != nil {
		return r, err
	}
	r.platformN = min(c.sample, len(recs))
	for round := 1; round <= r.rounds; round++ {
		if err := b.round(ctx, c, st, recs, round, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (b *bench) round(ctx context.Context, c config, st *store.Store, recs []*kgo.Record, round int, r *rates) error {
	fmt.Printf("round %d/%d\n", round, r.rounds)
	scan, err := rawScan(ctx, st, r.events)
	if err != nil {
		return err
	}
	r.add("scan", scan, &r.scan)
	fmt.Printf("  raw scan            %8.0f events/s\n", scan)

	produce, err := rawProduce(ctx, b.kafka, recs, fmt.Sprintf("raw%d_", round))
	if err != nil {
		return err
	}
	r.add("produce", produce, &r.produce)
	fmt.Printf("  raw produce         %8.0f events/s (%d records)\n", produce, len(recs))

	stopProfile, err := startProfile(c.cpuProfile, round)
	if err != nil {
		return err
	}
	rep, took, err := b.replay(ctx, st, r.events, fmt.Sprintf("rep%d_", round))
	stopProfile()
	if err != nil {
		return err
	}
	if r.add("replay", rep, &r.replay) {
		r.replayTook = took
	}
	fmt.Printf("  replay              %8.0f events/s (%d events in %s)\n", rep, r.events, took.Round(time.Millisecond))

	plat, ptook, err := b.platform(ctx, st, recs[:r.platformN], fmt.Sprintf("plat%d_", round))
	if err != nil {
		return err
	}
	if r.add("platform", plat, &r.platform) {
		r.platformTook = ptook
	}
	fmt.Printf("  platform algorithm  %8.0f events/s (%d events in %s)\n", plat, r.platformN, ptook.Round(time.Millisecond))
	return nil
}

// add records a sample and keeps the best in *best; it reports a new best.
func (r *rates) add(name string, v float64, best *float64) bool {
	r.samples[name] = append(r.samples[name], v)
	if v > *best {
		*best = v
		return true
	}
	return false
}

// rawScan reads every matching event with one plain cursor in replay order,
// touching each document once: the floor of any replay from this server.
func rawScan(ctx context.Context, st *store.Store, want int) (float64, error) {
	start := time.Now()
	opts := options.Find().SetSort(store.ReplayOrder).SetBatchSize(1000)
	cur, err := st.Events.Collection().Find(ctx, store.FilterQuery(filter), opts)
	if err != nil {
		return 0, err
	}
	defer cur.Close(ctx)
	n, bytes := 0, 0
	for cur.Next(ctx) {
		n++
		bytes += len(cur.Current)
	}
	if err := cur.Err(); err != nil {
		return 0, err
	}
	if n != want {
		return 0, fmt.Errorf("raw scan read %d events, want %d", n, want)
	}
	return rate(n, time.Since(start)), nil
}

// buildRecords prepares (untimed) exactly the records a replay produces:
// topic, key, contract JSON value and the provenance headers.
func buildRecords(ctx context.Context, st *store.Store, prefix string) ([]*kgo.Record, error) {
	cur, err := st.Events.Collection().Find(ctx, store.FilterQuery(filter), options.Find().SetSort(store.ReplayOrder))
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	now := time.Now().UTC()
	var recs []*kgo.Record
	for cur.Next(ctx) {
		ev, err := contract.ParseStoredEvent(cur.Current)
		if err != nil {
			continue
		}
		value, err := contract.AppendEventJSON(nil, cur.Current, &now)
		if err != nil {
			continue
		}
		recs = append(recs, &kgo.Record{
			Topic: prefix + ev.EventType, Key: []byte(ev.Key()), Value: value, Timestamp: now,
			Headers: []kgo.RecordHeader{
				{Key: replay.HeaderSessionID, Value: []byte("raw")}, {Key: replay.HeaderReplayID, Value: []byte("raw")},
				{Key: replay.HeaderOriginalTimestamp, Value: []byte(ev.Timestamp.Format(contract.TimeFormat))},
				{Key: replay.HeaderReplayedAt, Value: []byte(now.Format(contract.TimeFormat))},
				{Key: replay.HeaderEventType, Value: []byte(ev.EventType)},
			},
		})
	}
	return recs, cur.Err()
}

// rawProduce sends pre-built records asynchronously with the replaying
// client's settings and waits for every acknowledgement.
func rawProduce(ctx context.Context, cl *kgo.Client, recs []*kgo.Record, prefix string) (float64, error) {
	var failed atomic.Int64
	var first atomic.Value
	out := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		c := *r
		c.Topic = prefix + r.Topic
		out[i] = &c
	}
	start := time.Now()
	for _, r := range out {
		cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			if err != nil && failed.Add(1) == 1 {
				first.Store(err)
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return 0, err
	}
	took := time.Since(start)
	if failed.Load() > 0 {
		return 0, fmt.Errorf("raw produce: %d records failed, first: %v", failed.Load(), first.Load())
	}
	return rate(len(recs), took), nil
}

// replay times create + start + run of an all-events session to Kafka.
func (b *bench) replay(ctx context.Context, st *store.Store, want int, prefix string) (float64, time.Duration, error) {
	svc := &replay.Service{Store: st, Kafka: b.kafka, TopicPrefix: prefix, Owner: replay.NewOwner()}
	start := time.Now()
	sess, err := svc.Create(ctx, replay.Spec{}, "bench")
	if err != nil {
		return 0, 0, err
	}
	if _, err := svc.Start(ctx, sess.SessionID); err != nil {
		return 0, 0, err
	}
	res, err := svc.Run(ctx, sess.SessionID, replay.RunOptions{})
	if err != nil {
		return 0, 0, err
	}
	took := time.Since(start)
	if res.Outcome != replay.OutcomeCompleted || res.Session.FailedEvents > 0 {
		return 0, 0, fmt.Errorf("replay ended %s with %d failed events", res.Outcome, res.Session.FailedEvents)
	}
	if n := res.Session.ReplayedEvents; int(n) != want {
		return 0, 0, fmt.Errorf("replayed %d events, want %d", n, want)
	}
	return rate(want, took), took, nil
}

// platform times the per-event part of the platform's replay loop on recs:
// for every event one awaited publish, then one update of the session
// document. Its producer does not linger (aiokafka's default). Its read of
// the events is credited at the raw scan rate (see report).
func (b *bench) platform(ctx context.Context, st *store.Store, recs []*kgo.Record, prefix string) (float64, time.Duration, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.stack.KafkaBrokers()...), kgo.AllowAutoTopicCreation(), kgo.ProducerLinger(0))
	if err != nil {
		return 0, 0, err
	}
	defer cl.Close()
	sess, err := replay.NewSession(replay.Spec{}, time.Now(), "platform")
	if err != nil {
		return 0, 0, err
	}
	sess.Status = contract.StatusRunning
	if err := st.Sessions.Insert(ctx, sess); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	for i, rec := range recs {
		out := &kgo.Record{Topic: prefix + rec.Topic, Key: rec.Key, Value: rec.Value}
		if err := cl.ProduceSync(ctx, out).FirstErr(); err != nil {
			return 0, 0, fmt.Errorf("platform publish: %w", err)
		}
		set := bson.D{{Key: "replayed_events", Value: int64(i + 1)}, {Key: "last_event_at", Value: time.Now().UTC()}}
		if err := st.Sessions.Update(ctx, sess.SessionID, set); err != nil {
			return 0, 0, fmt.Errorf("platform session update: %w", err)
		}
	}
	took := time.Since(start)
	return rate(len(recs), took), took, nil
}

// startProfile profiles the first round's replay until the returned func
// is called.
func startProfile(path string, round int) (func(), error) {
	if path == "" || round > 1 {
		return func() {}, nil
	}
	return profiling.StartCPU(path)
}
