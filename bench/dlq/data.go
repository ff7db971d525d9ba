package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// sample is one failed event in the shapes the platform writes.
type sample struct {
	id, eventType, topic, errText string
	retries                       int
	failedAt                      time.Time
	execID                        string
}

var errTexts = []string{
	"KafkaTimeoutError: produce to %s timed out after 30000ms (partition %d)",
	"ValidationError: pod executor-%s missing field 'exit_code'",
	"ConnectionError: mongodb://mongo:27017/integr8scode_db connection refused after %d attempts",
}

// samples returns n reproducible messages over the contract's event types
// (DLQ notification types excluded), retry counts 0-3, failed in the last hour.
func samples(n int, now time.Time, prefix string) []sample {
	r := rand.New(rand.NewPCG(42, uint64(n)))
	var types []string
	for _, t := range contract.EventTypes() {
		if !strings.HasPrefix(t, "dlq_") {
			types = append(types, t)
		}
	}
	out := make([]sample, n)
	for i := range out {
		typ := types[r.IntN(len(types))]
		exec := uuid(r)
		out[i] = sample{
			id: uuid(r), eventType: typ, topic: prefix + typ, retries: r.IntN(4), execID: exec,
			failedAt: now.Add(-time.Duration(r.IntN(3600000)) * time.Millisecond).Truncate(time.Millisecond),
		}
		out[i].errText = fmt.Sprintf(errTexts[i%len(errTexts)], out[i].topic, r.IntN(3))
		if i%len(errTexts) == 1 {
			out[i].errText = fmt.Sprintf(errTexts[1], exec)
		}
	}
	return out
}

func uuid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
}

// event is the failed event as a document (the platform's events shape
// minus bookkeeping), about 400 bytes of JSON.
func (s sample) event() bson.D {
	return bson.D{
		{Key: "event_id", Value: s.id}, {Key: "event_type", Value: s.eventType}, {Key: "event_version", Value: "1.0"},
		{Key: "timestamp", Value: s.failedAt.Add(-250 * time.Millisecond)}, {Key: "aggregate_id", Value: s.execID},
		{Key: "metadata", Value: bson.D{
			{Key: "service_name", Value: "execution-coordinator"}, {Key: "service_version", Value: "2.4.1"},
			{Key: "user_id", Value: "user-" + s.execID[:8]}, {Key: "environment", Value: "production"},
		}},
		{Key: "execution_id", Value: s.execID},
		{Key: "script", Value: "import sys\nprint(sum(range(100)))\nsys.exit(0)\n"},
		{Key: "language", Value: "python"}, {Key: "exit_code", Value: int32(1)},
		{Key: "resource_usage", Value: bson.D{
			{Key: "execution_time_wall_seconds", Value: 0.731}, {Key: "cpu_time_jiffies", Value: int32(61)},
			{Key: "clk_tck_hertz", Value: int32(100)}, {Key: "peak_memory_kb", Value: int32(24576)},
		}},
	}
}

// recordValue is the DLQ topic record value: the dlq document as JSON.
func (s sample) recordValue() []byte {
	raw, _ := bson.Marshal(s.event())
	ev, _ := contract.RawToJSON(raw)
	v := map[string]any{
		"event": json.RawMessage(ev), "original_topic": s.topic, "error": s.errText,
		"retry_count": s.retries, "failed_at": s.failedAt.Format(contract.TimeFormat),
		"producer_id": "execution-coordinator-7f3a9b2c1-x8k2q",
		"headers":     map[string]string{"event_type": s.eventType, "original_topic": s.topic},
	}
	b, _ := json.Marshal(v)
	return b
}

// doc is the dlq_messages document the platform would store, scheduled and
// due (next_retry_at in the past) unless told otherwise.
func (s sample) doc(status string, nextRetry time.Time, offset int) bson.D {
	return bson.D{
		{Key: "event", Value: s.event()}, {Key: "original_topic", Value: s.topic}, {Key: "error", Value: s.errText},
		{Key: "retry_count", Value: int32(s.retries)}, {Key: "failed_at", Value: s.failedAt}, {Key: "status", Value: status},
		{Key: "producer_id", Value: "execution-coordinator-7f3a9b2c1-x8k2q"}, {Key: "created_at", Value: s.failedAt},
		{Key: "last_updated", Value: s.failedAt}, {Key: "next_retry_at", Value: nextRetry}, {Key: "retried_at", Value: nil},
		{Key: "discarded_at", Value: nil}, {Key: "discard_reason", Value: nil}, {Key: "last_error", Value: nil},
		{Key: "dlq_offset", Value: int32(offset)}, {Key: "dlq_partition", Value: int32(offset % 3)},
		{Key: "headers", Value: bson.D{{Key: "event_type", Value: s.eventType}, {Key: "original_topic", Value: s.topic}}},
	}
}
