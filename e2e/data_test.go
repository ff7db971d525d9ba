package e2e_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/testenv"
)

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
// recovers checks a session across an outage that has just ended: the
// worker is ready again within ready, the session completes within done
// with no failed events, and every event of ids reached topic at least
// once, any duplicate declared. It returns the completed session.
func (p *platform) recovers(t *testing.T, w *workerProc, id string, ids []string, topic string, ready, done time.Duration) *contract.Session {
	t.Helper()
	testenv.Eventually(t, ready, func() bool { code, _ := w.ready(); return code == http.StatusOK }, "/readyz 200 again")
	s := p.waitStatus(id, contract.StatusCompleted, done)
	if s.FailedEvents != 0 {
		t.Errorf("session %s counted %d failed events across the outage", id, s.FailedEvents)
	}
	dups := testenv.AssertEachAtLeastOnce(t, "session "+id, ids, replayedIDs(t, p.brokers, topic, id))
	checkDuplicatesDeclared(t, s, dups)
	return s
}

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
