package replay

import (
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Bounds of one run's in-flight data (the window) and of the shared client's
// buffer, which several sessions of one worker may use at once.
const (
	maxInFlightRecords = 8192
	maxInFlightBytes   = 16 << 20
	clientBufferBytes  = 64 << 20
	// maxSpan bounds sent-but-uncommitted events (the tracker's memory):
	// acknowledged events behind one that is still being retried.
	maxSpan = 4 * maxInFlightRecords
)

// ProducerOpts are the producer settings a replaying client needs; pass them
// to kafka.NewClient where the client is built. acks=all and idempotent
// writes are franz-go's defaults and stated here so nobody turns them off;
// buffers are bounded so memory stays flat. Topic auto-creation is not
// asked for here: kafka.Options.AutoCreateTopics adds it for every client
// where the settings say so (the dev stack and tests), never by default.
//
// There is deliberately no RecordDeliveryTimeout: franz-go measures it from
// Record.Timestamp, so a record replayed with its original (old) timestamp
// would time out before it is ever sent. Without it franz-go retries an
// outage internally for as long as it lasts; the run stays bounded by its
// window, reports the stall, and still obeys pause and cancel.
func ProducerOpts() []kgo.Opt {
	return []kgo.Opt{
		kgo.RequiredAcks(kgo.AllISRAcks()),
		// The engine hands records over at its reading pace: with 5 ms a
		// batch held 17 to 26 of them (spread over every type's
		// partitions) against the raw produce's 120 to 157, and the
		// broker paid per batch. 20 ms fills them; the cost is up to 20 ms
		// more before the last events of a run (nothing flushes) and each
		// event of a slowly paced one are acknowledged.
		kgo.ProducerLinger(20 * time.Millisecond),
		kgo.MaxBufferedRecords(4 * maxInFlightRecords),
		kgo.MaxBufferedBytes(clientBufferBytes),
	}
}
