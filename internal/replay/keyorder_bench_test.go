package replay

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchBatch is how many started records the submitting goroutine hands
// to the completing one at a time, and benchBatches how many batches may be
// in flight: 32×256 = 8192, the runner's window (maxInFlightRecords).
const (
	benchBatch   = 256
	benchBatches = maxInFlightRecords / benchBatch
)

// benchRecord is a record as the Kafka sink keeps it: keyOrder starts it on
// the submitting goroutine, the completing goroutine reports it done.
type benchRecord struct {
	key  orderKey
	seq  uint64
	pipe *benchPipe
}

func (r *benchRecord) start(seq uint64) {
	r.seq = seq
	r.pipe.push(r)
}

func (r *benchRecord) abort() {}

// benchPipe carries started records, in order, to the completing
// goroutine in batches, so that the channel's cost is not what is measured.
type benchPipe struct {
	batch []*benchRecord
	out   chan []*benchRecord
	free  chan []*benchRecord
}

func newBenchPipe() *benchPipe {
	p := &benchPipe{out: make(chan []*benchRecord, benchBatches), free: make(chan []*benchRecord, benchBatches)}
	for range benchBatches - 1 {
		p.free <- make([]*benchRecord, 0, benchBatch)
	}
	p.batch = make([]*benchRecord, 0, benchBatch)
	return p
}

func (p *benchPipe) push(r *benchRecord) {
	p.batch = append(p.batch, r)
	if len(p.batch) == benchBatch {
		p.flush()
	}
}

func (p *benchPipe) flush() {
	p.out <- p.batch
	p.batch = <-p.free
}

// benchKeys returns n record keys (36-character ids, like aggregate ids)
// drawn from distinct different keys.
func benchKeys(n, distinct int) []string {
	ids := make([]string, distinct)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*7919)
	}
	if distinct == n {
		return ids
	}
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]string, n)
	for i := range keys {
		keys[i] = ids[r.IntN(distinct)]
	}
	return keys
}

// BenchmarkKeyOrder measures keyOrder as the Kafka sink uses it: one
// goroutine submits records (the reader's), another reports them done in
// the order they were sent (the produce promises'), up to the runner's
// window in flight.
func BenchmarkKeyOrder(b *testing.B) {
	for _, c := range []struct {
		name          string
		records, keys int
	}{
		{"50k-over-2k-keys", 50000, 2000},
		{"unique-keys", 50000, 50000},
		{"50k-over-16-keys", 50000, 16},
	} {
		b.Run(c.name, func(b *testing.B) { benchKeyOrder(b, benchKeys(c.records, c.keys)) })
	}
}

func benchKeyOrder(b *testing.B, keys []string) {
	topics := []string{"replay.pod_running", "replay.pod_failed", "replay.execution_completed"}
	recs := make([]benchRecord, b.N)
	pipe := newBenchPipe()
	o := newKeyOrder[orderKey]()
	completed := make(chan struct{})
	go func() {
		defer close(completed)
		for batch := range pipe.out {
			for _, r := range batch {
				o.done(r.key, r.seq)
			}
			pipe.free <- batch[:0]
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range recs {
		r := &recs[i]
		r.pipe = pipe
		r.key = orderKey{topic: topics[i%len(topics)], key: keys[i%len(keys)]}
		o.submit(r.key, r)
	}
	pipe.out <- pipe.batch
	close(pipe.out)
	<-completed
	b.StopTimer()
	if len(o.keys) != 0 {
		b.Fatalf("%d keys left after every record was done", len(o.keys))
	}
}
