package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/bench/internal/profiling"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

const (
	sourceDB = "bench_engine_events"   // seeded once, then read into memory
	stateDB  = "bench_engine_sessions" // the sessions' bookkeeping; no events
)

// outcome is the best sample of each measurement and every sample.
type outcome struct {
	events, rounds int
	avgBytes       float64
	engine, raw    sample
	// The calibration: the same two runs with the broker in a child
	// process (apart), best of the rounds.
	engineApart, rawApart sample
	all                   map[string][]sample
}

func run(ctx context.Context, c config) error {
	proc, err := startStoreProc()
	if err != nil {
		return err
	}
	defer proc.close()
	mc, err := mongo.Connect(options.Client().ApplyURI(proc.uri))
	if err != nil {
		return err
	}
	defer func() { _ = mc.Disconnect(context.Background()) }()
	kf, err := newKfake()
	if err != nil {
		return err
	}
	defer kf.Close()
	bc, bcApart := &batchCounter{}, &batchCounter{}
	cl, err := producer(kf.ListenAddrs(), bc)
	if err != nil {
		return err
	}
	defer cl.Close()
	broker, err := startChild("-child-kafka", "KAFKA")
	if err != nil {
		return err
	}
	defer broker.close()
	clApart, err := producer(strings.Split(broker.line, ","), bcApart)
	if err != nil {
		return err
	}
	defer clApart.Close()
	fmt.Printf("event store (FerretDB) in a child process: %s; Kafka (kfake) in this process: %v; calibration kfake in a child process: %s\n",
		proc.uri, kf.ListenAddrs(), broker.line)

	if c.blkProfile != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	}
	seeded, err := loadEvents(ctx, mc, min(c.seeded, c.events))
	if err != nil {
		return err
	}
	docs, err := repeat(seeded, c.events)
	if err != nil {
		return err
	}
	recs, err := preEncode(docs)
	if err != nil {
		return err
	}
	res := outcome{events: len(docs), rounds: max(c.rounds, 1), all: map[string][]sample{}}
	for _, d := range docs {
		res.avgBytes += float64(len(d))
	}
	res.avgBytes /= float64(len(docs))
	var jsonBytes float64
	for _, r := range recs {
		jsonBytes += float64(len(r.Value))
	}
	fmt.Printf("%d events in memory (%d seeded, then copies): %.0f bytes of BSON, %.0f bytes of JSON on average\n", len(docs), len(seeded), res.avgBytes, jsonBytes/float64(len(recs)))

	st := store.FromClient(mc, store.Options{Database: stateDB})
	src := memSource{docs: docs}
	for round := 1; round <= res.rounds; round++ {
		fmt.Printf("round %d/%d\n", round, res.rounds)
		out := retopic(recs, fmt.Sprintf("raw%d_", round))
		raw, err := measure(len(out), nil, func() error { return rawProduce(ctx, cl, out) })
		if err != nil {
			return err
		}
		res.keep("raw", raw, &res.raw)
		printSample("raw produce", raw)
		bc.print()
		if err := dropTopics(ctx, cl, fmt.Sprintf("raw%d_", round)); err != nil {
			return err
		}
		eng, err := engineRun(ctx, c.runFiles(""), st, cl, nil, src, len(docs), fmt.Sprintf("eng%d_", round), round)
		if err != nil {
			return err
		}
		res.keep("engine", eng, &res.engine)
		printSample("engine", eng)
		bc.print()
		if err := dropTopics(ctx, cl, fmt.Sprintf("eng%d_", round)); err != nil {
			return err
		}
		out = retopic(recs, fmt.Sprintf("rawapart%d_", round))
		rawApart, err := measure(len(out), broker, func() error { return rawProduce(ctx, clApart, out) })
		if err != nil {
			return err
		}
		res.keep("raw, broker apart", rawApart, &res.rawApart)
		printSample("raw produce, broker apart", rawApart)
		bcApart.print()
		if err := dropTopics(ctx, clApart, fmt.Sprintf("rawapart%d_", round)); err != nil {
			return err
		}
		engApart, err := engineRun(ctx, c.runFiles(".apart"), st, clApart, broker, src, len(docs), fmt.Sprintf("engapart%d_", round), round)
		if err != nil {
			return err
		}
		res.keep("engine, broker apart", engApart, &res.engineApart)
		printSample("engine, broker apart", engApart)
		bcApart.print()
		if err := dropTopics(ctx, clApart, fmt.Sprintf("engapart%d_", round)); err != nil {
			return err
		}
	}
	if c.blkProfile != "" {
		if err := profiling.WriteProfile("block", c.blkProfile); err != nil {
			return err
		}
	}
	if c.memProfile != "" {
		if err := profiling.WriteAllocs(c.memProfile); err != nil {
			return err
		}
	}
	return report(c, res)
}

// keep records s and makes it the best when it is the fastest so far.
func (r *outcome) keep(name string, s sample, best *sample) {
	r.all[name] = append(r.all[name], s)
	if best.events == 0 || s.rate() > best.rate() {
		*best = s
	}
}

func printSample(name string, s sample) {
	fmt.Printf("  %-26s %9.0f events/s  %6.2f µs CPU/event  %6.2f allocs/event  (%s wall, %s CPU, %.2f cores)",
		name, s.rate(), s.cpuMicrosPerEvent(), s.allocsPerEvent(), s.wall.Round(time.Millisecond), s.cpu.Round(time.Millisecond), s.cores())
	if s.broker > 0 {
		fmt.Printf("  broker process: %.2f µs CPU/event", s.brokerMicrosPerEvent())
	}
	fmt.Println()
}

// producer is a client with the engine's producer settings.
func producer(brokers []string, bc *batchCounter) (*kgo.Client, error) {
	return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation(), kgo.WithHooks(bc)}, replay.ProducerOpts()...)...)
}

// loadEvents seeds n events with the generator `replayctl dev --seed`
// uses and reads them back in replay order: exactly the stored documents a
// replay's cursor returns.
func loadEvents(ctx context.Context, mc *mongo.Client, n int) ([]bson.Raw, error) {
	start := time.Now()
	if _, err := seed.Seed(ctx, mc.Database(sourceDB), seed.Options{
		Events: n, DLQMessages: -1, Rand: rand.New(rand.NewPCG(uint64(n), 7)),
	}); err != nil {
		return nil, fmt.Errorf("seed %d events: %w", n, err)
	}
	st := store.FromClient(mc, store.Options{Database: sourceDB})
	cur, err := st.Events.Stream(ctx, contract.Filter{}, store.Bound{}, nil, 1000)
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	docs := make([]bson.Raw, 0, n)
	for cur.Next(ctx) {
		docs = append(docs, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	if len(docs) != n {
		return nil, fmt.Errorf("read %d seeded events back, want %d", len(docs), n)
	}
	fmt.Printf("seeded and loaded %d events in %s\n", n, time.Since(start).Round(time.Millisecond))
	return docs, nil
}

// preEncode builds (untimed) the records a replay of docs produces: topic,
// key, the contract's JSON value, the provenance headers and timestamp.
func preEncode(docs []bson.Raw) ([]*kgo.Record, error) {
	now := time.Now().UTC()
	session, replayID := "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	recs := make([]*kgo.Record, 0, len(docs))
	for _, d := range docs {
		ev, err := contract.ParseStoredEvent(d)
		if err != nil {
			return nil, err
		}
		value, err := contract.AppendEventJSON(nil, d, &now)
		if err != nil {
			return nil, err
		}
		recs = append(recs, &kgo.Record{
			Topic: ev.EventType, Key: []byte(ev.Key()), Value: value, Timestamp: now,
			Headers: []kgo.RecordHeader{
				{Key: replay.HeaderSessionID, Value: []byte(session)}, {Key: replay.HeaderReplayID, Value: []byte(replayID)},
				{Key: replay.HeaderOriginalTimestamp, Value: []byte(ev.Timestamp.Format(contract.TimeFormat))},
				{Key: replay.HeaderReplayedAt, Value: []byte(now.Format(contract.TimeFormat))},
				{Key: replay.HeaderEventType, Value: []byte(ev.EventType)},
			},
		})
	}
	return recs, nil
}

// retopic copies the records under fresh topics (prefix + type), so every
// round pays for creating its topics, as the engine's rounds do.
func retopic(recs []*kgo.Record, prefix string) []*kgo.Record {
	topics := map[string]string{}
	out := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		c := *r
		t, ok := topics[r.Topic]
		if !ok {
			t = prefix + r.Topic
			topics[r.Topic] = t
		}
		c.Topic = t
		out[i] = &c
	}
	return out
}

// rawProduce sends pre-built records asynchronously with the engine's
// client and waits for every acknowledgement.
func rawProduce(ctx context.Context, cl *kgo.Client, recs []*kgo.Record) error {
	var failed atomic.Int64
	var first atomic.Value
	for _, r := range recs {
		cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			if err != nil && failed.Add(1) == 1 {
				first.Store(err)
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	if failed.Load() > 0 {
		return fmt.Errorf("raw produce: %d records failed, first: %v", failed.Load(), first.Load())
	}
	return nil
}

// engineRun creates and starts a session (untimed), then measures its run:
// the real runner with its lease, checkpoints and final write against the
// child's MongoDB, reading from memory and sending to kfake.
func engineRun(ctx context.Context, files runFiles, st *store.Store, cl *kgo.Client, broker *childProc, src memSource, want int, prefix string, round int) (sample, error) {
	svc := &replay.Service{Store: st, Kafka: cl, TopicPrefix: prefix, Owner: replay.NewOwner(), Events: src}
	sess, err := svc.Create(ctx, replay.Spec{}, "bench")
	if err != nil {
		return sample{}, err
	}
	if _, err := svc.Start(ctx, sess.SessionID); err != nil {
		return sample{}, err
	}
	stop, err := files.start(round)
	if err != nil {
		return sample{}, err
	}
	var res *replay.Result
	s, err := measure(want, broker, func() error {
		var err error
		res, err = svc.Run(ctx, sess.SessionID, replay.RunOptions{})
		return err
	})
	stop()
	if err != nil {
		return s, err
	}
	if res.Outcome != replay.OutcomeCompleted || res.Session.FailedEvents > 0 || res.Session.SkippedEvents > 0 {
		return s, fmt.Errorf("engine run ended %s with %d failed and %d skipped events", res.Outcome, res.Session.FailedEvents, res.Session.SkippedEvents)
	}
	if n := res.Session.ReplayedEvents; int(n) != want {
		return s, fmt.Errorf("engine replayed %d events, want %d", n, want)
	}
	return s, nil
}

// runFiles are the CPU profile and execution trace an engine run writes,
// when asked for: FILE.N, or FILE.apart.N for the calibration runs, whose
// broker runs in another process so that they hold the engine's work alone.
type runFiles struct{ cpu, trace string }

func (c config) runFiles(suffix string) runFiles {
	var f runFiles
	if c.cpuProfile != "" {
		f.cpu = c.cpuProfile + suffix
	}
	if c.traceFile != "" {
		f.trace = c.traceFile + suffix
	}
	return f
}

// start begins round's profile and trace; the returned func ends both.
func (f runFiles) start(round int) (func(), error) {
	var stops []func()
	stopAll := func() {
		for _, stop := range stops {
			stop()
		}
	}
	for _, s := range []struct {
		file  string
		start func(string) (func(), error)
	}{{f.cpu, profiling.StartCPU}, {f.trace, profiling.StartTrace}} {
		if s.file == "" {
			continue
		}
		stop, err := s.start(fmt.Sprintf("%s.%d", s.file, round))
		if err != nil {
			stopAll()
			return nil, err
		}
		stops = append(stops, stop)
	}
	return stopAll, nil
}

// dropTopics deletes a measured run's topics (untimed): kfake keeps every
// record in memory, and in this process its heap would otherwise grow by
// about 150 MB a run, which makes the collector run less often than it
// would in replayctl, flattering whatever measures next.
func dropTopics(ctx context.Context, cl *kgo.Client, prefix string) error {
	adm := kadm.NewClient(cl)
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		return fmt.Errorf("list topics: %w", err)
	}
	var drop []string
	for _, t := range topics.Names() {
		if strings.HasPrefix(t, prefix) {
			drop = append(drop, t)
		}
	}
	if len(drop) == 0 {
		return nil
	}
	res, err := adm.DeleteTopics(ctx, drop...)
	if err != nil {
		return fmt.Errorf("delete topics %s*: %w", prefix, err)
	}
	return res.Error()
}
