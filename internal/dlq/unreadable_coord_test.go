package dlq

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// skipRecorder is Metrics that takes over skip reporting, as the worker's does.
type skipRecorder struct {
	mu      sync.Mutex
	skipped []store.Skipped
}

func (r *skipRecorder) Received(string)                    {}
func (r *skipRecorder) Retried(string)                     {}
func (r *skipRecorder) Discarded(string)                   {}
func (r *skipRecorder) Quarantined(string)                 {}
func (r *skipRecorder) RetryLatency(string, time.Duration) {}
func (r *skipRecorder) SendFailed(bool)                    {}
func (r *skipRecorder) DocumentsSkipped(_ *slog.Logger, s []store.Skipped) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipped = append(r.skipped, s...)
}

// recordingManager is e.manager(owner) with a skipRecorder as its Metrics.
func (e *env) recordingManager(owner string) (*Manager, *skipRecorder) {
	m, rec := e.manager(owner), &skipRecorder{}
	m.Metrics = rec
	return m, rec
}

func (r *skipRecorder) has(collection, id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.skipped {
		if s.Collection == collection && s.ID == id {
			return true
		}
	}
	return false
}

func (e *env) insertRaw(coll string, docs ...bson.D) {
	e.t.Helper()
	for _, d := range docs {
		if _, err := e.db.Collection(coll).InsertOne(ctxT(e.t), d); err != nil {
			e.t.Fatalf("insert into %s: %v", coll, err)
		}
	}
}

// A claim document that cannot be read, on the very key a due retry needs,
// neither stalls the retry round nor lets the message be sent twice: it is
// not a live claim replayctl wrote, so it counts as an expired one, and the
// round takes the next epoch exactly once. It is reported as skipped.
func TestRetryDueTakesOverUnreadableClaimOnce(t *testing.T) {
	e := newEnv(t)
	m, rec := e.recordingManager("due")
	topic, _ := e.insertDue("jc-1", 1)
	e.insertRaw(ClaimsCollection,
		bson.D{{Key: "_id", Value: claimKey("jc-1", 1)}, {Key: "key", Value: 42}, {Key: "expires_at", Value: "never"}},
		bson.D{{Key: "_id", Value: "junk-claim"}, {Key: "key", Value: claimKey("jc-1", 1)}, {Key: "epoch", Value: "x"}})

	n, err := m.RetryDue(ctxT(t))
	if err != nil || n != 1 {
		t.Fatalf("RetryDue = %d, %v", n, err)
	}
	if n, err := m.RetryDue(ctxT(t)); err != nil || n != 0 {
		t.Fatalf("second RetryDue = %d, %v", n, err)
	}
	if got := e.countTopic(topic); got != 1 {
		t.Errorf("%d records sent, want 1", got)
	}
	if msg := e.loadMsg("jc-1"); msg.Status != contract.DLQRetried || msg.RetryCount != 2 {
		t.Errorf("jc-1: %+v", msg)
	}
	if !rec.has(ClaimsCollection, "junk-claim") || !rec.has(ClaimsCollection, claimKey("jc-1", 1)) {
		t.Errorf("skipped reported: %v", rec.skipped)
	}
}

// Two managers racing for a round whose claim key holds an unreadable
// document send the message once between them.
func TestUnreadableClaimRaceSendsOnce(t *testing.T) {
	e := newEnv(t)
	topic, _ := e.insertDue("jr-1", 0)
	e.insertRaw(ClaimsCollection, bson.D{{Key: "_id", Value: claimKey("jr-1", 0)}, {Key: "key", Value: claimKey("jr-1", 0)}, {Key: "expires_at", Value: "never"}})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.manager("racer").RetryDue(ctxT(t))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := e.countTopic(topic); got != 1 {
		t.Errorf("%d records sent, want 1", got)
	}
}

// A journal entry that cannot be read does not stall the retry round; it
// is reported as skipped and left for an operator.
func TestRetryDueSkipsUnreadableJournalEntry(t *testing.T) {
	e := newEnv(t)
	m, rec := e.recordingManager("due")
	topic, at := e.insertDue("jj-1", 1)
	e.insertRaw(PendingSendsCollection, bson.D{{Key: "_id", Value: "junk-send"}, {Key: "round", Value: "one"}, {Key: "created_at", Value: at}})

	n, err := m.RetryDue(ctxT(t))
	if err != nil || n != 1 {
		t.Fatalf("RetryDue = %d, %v", n, err)
	}
	if got := e.countTopic(topic); got != 1 {
		t.Errorf("%d records sent, want 1", got)
	}
	if !rec.has(PendingSendsCollection, "junk-send") {
		t.Errorf("skipped reported: %v", rec.skipped)
	}
}

// An override that cannot be read is listed as skipped, reported to the
// worker, and its topic falls back to the preset.
func TestOverridesReportUnreadable(t *testing.T) {
	e := newEnv(t)
	m, rec := e.recordingManager("pol")
	topic := e.topic("pod_failed")
	if err := m.SetPolicy(ctxT(t), e.topic("execution_failed"), Policy{Strategy: StrategyManual}); err != nil {
		t.Fatal(err)
	}
	e.insertRaw(PoliciesCollection, bson.D{{Key: "_id", Value: topic}, {Key: "max_retries", Value: "many"}, {Key: "strategy", Value: 7}})

	page, err := m.Overrides(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || len(page.Skipped) != 1 || page.Skipped[0].ID != topic || page.Skipped[0].Collection != PoliciesCollection {
		t.Fatalf("overrides = %+v", page)
	}
	r, err := m.newResolver(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.resolve(topic, "pod_failed"); got.Preset != "cautious" {
		t.Errorf("resolved %+v, want the cautious preset", got)
	}
	if !rec.has(PoliciesCollection, topic) {
		t.Errorf("skipped reported: %v", rec.skipped)
	}
}

// Resolving the policy of a topic whose override cannot be read answers
// with the preset ingestion applies, saying why, instead of failing (dlq
// show and policy show would otherwise fail for every message of it).
func TestResolvePolicyBesideUnreadableOverride(t *testing.T) {
	e := newEnv(t)
	m := e.manager("pol")
	topic := e.topic("pod_failed")
	e.insertRaw(PoliciesCollection, bson.D{{Key: "_id", Value: topic}, {Key: "max_retries", Value: "many"}})
	r, err := m.ResolvePolicy(ctxT(t), topic, "pod_failed")
	if err != nil {
		t.Fatal(err)
	}
	if r.Override || r.Preset != "cautious" || !strings.Contains(r.Source, "cannot be read") || !strings.Contains(r.Source, "preset cautious") {
		t.Errorf("resolved %+v", r)
	}
}
