package e2e_test

import (
	"context"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// mongoOutage is how long MongoDB stays away: longer than an election
// (about 12 s) and far longer than the 3s lease, so the runner's claim
// lapses; nobody else takes the session, so the same run must take it again
// and go on.
const mongoOutage = 20 * time.Second

// testMongoOutage: MongoDB alone goes away (Kafka stays) while one worker
// replays a session and processes the DLQ topic. The worker stays up and
// /readyz names MongoDB; once MongoDB is back, the session completes in the
// run that was under way (no second run) with every event delivered
// (duplicates only as recorded), and every DLQ record,
// including those that arrived during the outage, is stored once, notified
// once and, under the immediate policy, redriven once.
func testMongoOutage(t *testing.T, bin string) {
	p := newPlatform(t, bin, nil)
	proxy := testenv.MongoProxy(t, p.mongoURI)
	p.mongoURI = proxy.URI(p.mongoURI) // the children's way in; the test's own client bypasses it
	const n = 200
	ids := testenv.SeedEvents(t, p.st.Events.Collection(), "execution_accepted", n)
	w := p.startWorker("w", "--group", testenv.UniqueName(t, "g"))
	id := p.startDetached("--type", "execution_accepted", "--rate", "40") // about 5s

	// result_stored takes the immediate policy: each record is also redriven
	// to its original topic at once.
	dlqTopic, original := p.prefix+"dead_letter_queue", p.prefix+"result_stored"
	var before, during []string
	produce := func(ids *[]string, k int) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		recs := make([]*kgo.Record, k)
		for i := range recs {
			*ids = append(*ids, testenv.UUID())
			recs[i] = dlqRecordOf(dlqTopic, (*ids)[len(*ids)-1], "result_stored", original, time.Now().UTC())
		}
		if err := kafkaClient(t, p.brokers, kgo.AllowAutoTopicCreation()).ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatalf("produce DLQ records: %v", err)
		}
	}
	produce(&before, 10)
	testenv.Eventually(t, 60*time.Second, func() bool {
		docs, _ := p.dlqDocs()
		return len(docs) == len(before) && p.session(id).ReplayedEvents >= 40
	}, "first DLQ records stored and session %s past its first checkpoint", id)

	proxy.Down()
	began := time.Now()
	atOutage := p.session(id).ReplayedEvents
	testenv.Eventually(t, 20*time.Second, func() bool {
		code, r := w.ready()
		return code == http.StatusServiceUnavailable && !r.Checks["mongodb"].OK && r.Checks["kafka"].OK
	}, "/readyz 503 naming mongodb only")
	produce(&during, 10) // Kafka is up: the processor reads them, but cannot store them yet
	testenv.Eventually(t, mongoOutage+10*time.Second, func() bool { return w.hasExited() || time.Since(began) >= mongoOutage },
		"the outage to last %s", mongoOutage)
	if w.hasExited() {
		t.Fatalf("worker exited during the MongoDB outage with %d", w.code)
	}
	if s := p.session(id); s.Status != contract.StatusRunning || s.FailedEvents != 0 {
		t.Fatalf("during the outage session %s is %s with %d failed events; want running with none", id, s.Status, s.FailedEvents)
	}

	proxy.Up()
	s := p.recovers(t, w, id, ids, p.prefix+"execution_accepted", 60*time.Second, 90*time.Second)
	if s.ReplayedEvents != n {
		t.Errorf("session %s replayed %d events across the outage; want %d", id, s.ReplayedEvents, n)
	}
	if s.Replayctl == nil || s.Replayctl.Runs != 1 {
		t.Errorf("session %s needed a second run: the first gave the session up during the outage\n%s", id, lastLines(w.log(), 40))
	}
	t.Logf("session %s: %d runs, %d run claims, %d replayed at the outage", id, s.Replayctl.Runs, len(p.runLeases(id)), atOutage)

	all := append(append([]string(nil), before...), during...)
	testenv.Eventually(t, 60*time.Second, func() bool {
		docs, _ := p.dlqDocs()
		for _, eid := range all {
			if docs[eid].Status != contract.DLQRetried {
				return false
			}
		}
		return true
	}, "all %d DLQ messages stored and retried", len(all))
	docs, stored := p.dlqDocs()
	testenv.AssertEachOnce(t, "dlq_messages", all, stored)
	for _, eid := range all {
		if d := docs[eid]; d.RetryCount != 1 {
			t.Errorf("DLQ message %s: retry_count %d, want 1", eid, d.RetryCount)
		}
	}
	testenv.AssertEachOnce(t, "redriven to "+original, all, p.keys(original))
	// Notifications follow the store: wait for the last of them, then read
	// to the end to see any sent twice.
	for _, typ := range []string{dlq.EventReceived, dlq.EventRetried} {
		testenv.WaitRecords(t, p.brokers, len(all), 30*time.Second, p.prefix+typ)
	}
	testenv.AssertEachOnce(t, "dlq_message_received", all, p.notified(dlq.EventReceived))
	testenv.AssertEachOnce(t, "dlq_message_retried", all, p.notified(dlq.EventRetried))
	if code, took := w.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Errorf("worker exited %d after SIGTERM (%s)", code, took)
	}
}
