package main

import (
	"fmt"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"
)

// batchCounter counts the record batches a client wrote and the records in
// them: kfake's cost per event depends on how full they are.
type batchCounter struct {
	batches, records atomic.Int64
	lastB, lastR     int64 // at the previous take, read by the bench's goroutine only
}

var _ kgo.HookProduceBatchWritten = (*batchCounter)(nil)

func (b *batchCounter) OnProduceBatchWritten(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.ProduceBatchMetrics) {
	b.batches.Add(1)
	b.records.Add(int64(m.NumRecords))
}

// print shows the batches written since the previous print.
func (b *batchCounter) print() {
	nb, nr := b.batches.Load(), b.records.Load()
	db, dr := nb-b.lastB, nr-b.lastR
	b.lastB, b.lastR = nb, nr
	if db > 0 {
		fmt.Printf("    produce batches: %d records in %d batches, %.1f records/batch\n", dr, db, float64(dr)/float64(db))
	}
}
