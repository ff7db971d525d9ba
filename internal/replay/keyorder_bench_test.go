package replay

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
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
	key    orderKey
	ticket orderTicket
	pipe   *benchPipe
}

func (r *benchRecord) start(t orderTicket) {
	r.ticket = t
	r.pipe.push(r)
}

func (r *benchRecord) abort() {}

// benchPipe carries started records, in order, to be completed in batches
// (so that a channel's cost is not what is measured): by another goroutine
// or, serial, by the submitting one once the window is full.
type benchPipe struct {
	batch   []*benchRecord
	out     chan []*benchRecord
	free    chan []*benchRecord
	serial  bool
	pending [][]*benchRecord // serial: the batches in flight, oldest first
	done    func(*benchRecord)
}

func newBenchPipe(serial bool, done func(*benchRecord)) *benchPipe {
	p := &benchPipe{out: make(chan []*benchRecord, benchBatches), free: make(chan []*benchRecord, benchBatches), serial: serial, done: done}
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
	if !p.serial {
		p.out <- p.batch
		p.batch = <-p.free
		return
	}
	p.pending = append(p.pending, p.batch)
	if len(p.pending) < benchBatches {
		p.batch = <-p.free
		return
	}
	oldest := p.pending[0]
	p.pending = p.pending[1:]
	p.complete(oldest)
	p.batch = oldest[:0]
}

func (p *benchPipe) complete(batch []*benchRecord) {
	for _, r := range batch {
		p.done(r)
	}
}

// completeAll runs the completing goroutine until the pipe is closed.
func (p *benchPipe) completeAll() {
	for batch := range p.out {
		p.complete(batch)
		p.free <- batch[:0]
	}
}

// finish completes every record still in flight.
func (p *benchPipe) finish() {
	if p.serial {
		for _, b := range p.pending {
			p.complete(b)
		}
		p.complete(p.batch)
		return
	}
	p.out <- p.batch
	close(p.out)
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
// window in flight. The serial runs do both on one goroutine: keyOrder's
// own CPU per record, without the two goroutines' hand-offs.
func BenchmarkKeyOrder(b *testing.B) {
	for _, serial := range []bool{false, true} {
		for _, c := range []struct {
			name          string
			records, keys int
		}{
			{"50k-over-2k-keys", 50000, 2000},
			{"unique-keys", 50000, 50000},
			{"50k-over-16-keys", 50000, 16},
		} {
			name := c.name
			if serial {
				name = "serial-" + name
			}
			b.Run(name, func(b *testing.B) { benchKeyOrder(b, serial, benchKeys(c.records, c.keys)) })
		}
	}
}

func benchKeyOrder(b *testing.B, serial bool, keys []string) {
	topics := []string{"replay.pod_running", "replay.pod_failed", "replay.execution_completed"}
	// A ring twice the window: a record is reused long after it is done,
	// and the garbage collector has no b.N records to scan.
	recs := make([]benchRecord, 2*maxInFlightRecords)
	o := newKeyOrder()
	pipe := newBenchPipe(serial, func(r *benchRecord) { o.done(r.ticket) })
	hashes := make([]uint64, len(topics)) // as the sink keeps them per event type
	for i, t := range topics {
		hashes[i] = o.topicHash(t)
	}
	completed := make(chan struct{})
	go func() {
		defer close(completed)
		pipe.completeAll()
	}()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	for i := range b.N {
		r := &recs[i%len(recs)]
		r.pipe = pipe
		r.key = o.key(topics[i%len(topics)], hashes[i%len(topics)], keys[i%len(keys)])
		o.submit(r.key, r)
	}
	pipe.finish()
	if serial {
		close(pipe.out)
	}
	<-completed
	b.StopTimer()
	// CPU rather than wall time: on a busy machine the goroutines' waits
	// for a core are not keyOrder's cost.
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
	if len(o.keys) != 0 {
		b.Fatalf("%d keys left after every record was done", len(o.keys))
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
