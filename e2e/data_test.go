package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// seedEvents stores n events of type typ in the contract's shape, one
// second apart an hour ago, and returns their ids.
func seedEvents(t *testing.T, st *store.Store, typ string, n int) []string {
	t.Helper()
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	docs := make([]any, n)
	ids := make([]string, n)
	for i := range n {
		ids[i] = uuid4()
		docs[i] = bson.D{
			{Key: "event_id", Value: ids[i]}, {Key: "event_type", Value: typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: base.Add(time.Duration(i) * time.Second)},
			{Key: "aggregate_id", Value: uuid4()},
			{Key: "metadata", Value: bson.D{
				{Key: "service_name", Value: "e2e"}, {Key: "service_version", Value: "1.0.0"},
				{Key: "user_id", Value: "user-1"}, {Key: "environment", Value: "production"},
			}},
			{Key: "stored_at", Value: base},
			{Key: "seq", Value: i},
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := st.Events.Collection().InsertMany(ctx, docs); err != nil {
		t.Fatalf("seed %d %s events: %v", n, typ, err)
	}
	return ids
}

// kafkaClient is a plain client of brokers, closed with the test.
func kafkaClient(t *testing.T, brokers []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// readTopic returns every record of topic up to its end offsets now.
func readTopic(t *testing.T, brokers []string, topic string) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	adm := kadm.NewClient(kafkaClient(t, brokers))
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatalf("end offsets of %s: %v", topic, err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil && o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	if len(want) == 0 {
		return nil
	}
	cl := kafkaClient(t, brokers, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var recs []*kgo.Record
	pos := map[int32]int64{}
	for !reached(pos, want) {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %s: got %v of %v before the deadline", topic, pos, want)
		}
		fs.EachRecord(func(r *kgo.Record) {
			recs = append(recs, r)
			pos[r.Partition] = r.Offset + 1
		})
	}
	return recs
}

func reached(pos, want map[int32]int64) bool {
	for p, end := range want {
		if pos[p] < end {
			return false
		}
	}
	return true
}

// replayedIDs counts, per event id, the records a session produced on topic.
func replayedIDs(t *testing.T, brokers []string, topic, sessionID string) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, r := range readTopic(t, brokers, topic) {
		if header(r, replay.HeaderSessionID) != sessionID {
			continue
		}
		var v struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("record of session %s on %s is not JSON: %v", sessionID, topic, err)
		}
		got[v.EventID]++
	}
	return got
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// checkEachOnce fails unless every id arrived exactly once and nothing else did.
func checkEachOnce(t *testing.T, what string, ids []string, got map[string]int) {
	t.Helper()
	checkEachAtLeastOnce(t, what, ids, got)
	for id, n := range got {
		if n != 1 {
			t.Errorf("%s: event %s arrived %d times, want once", what, id, n)
		}
	}
	if len(got) != len(ids) {
		t.Errorf("%s: %d distinct events arrived, want %d", what, len(got), len(ids))
	}
}

func checkEachAtLeastOnce(t *testing.T, what string, ids []string, got map[string]int) {
	t.Helper()
	missing := 0
	for _, id := range ids {
		if got[id] == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%s: %d of %d events never arrived", what, missing, len(ids))
	}
}
