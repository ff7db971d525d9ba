package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
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

// replayedIDs counts, per event id, the records a session produced on topic.
func replayedIDs(t *testing.T, brokers []string, topic, sessionID string) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, r := range testenv.ReadToEnd(t, brokers, topic) {
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

// checkDuplicatesDeclared fails when a session sent more duplicates than it
// recorded as possible: the bound operators rely on after a takeover.
func checkDuplicatesDeclared(t *testing.T, s *contract.Session, dups int) {
	t.Helper()
	var declared int64
	if s.Replayctl != nil {
		declared = s.Replayctl.PossibleDuplicates
	}
	if int64(dups) > declared {
		t.Errorf("session %s: %d duplicate records, but only %d recorded as possible duplicates", s.SessionID, dups, declared)
	}
	t.Logf("session %s: %d duplicate records, %d recorded as possible", s.SessionID, dups, declared)
}
