package e2e_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// broker is a kfake cluster of the test's own that can be stopped and
// started again on the same port with its data (kfake.DataDir): a Kafka
// outage the worker must ride out.
type broker struct {
	t    *testing.T
	dir  string
	port int
	mu   sync.Mutex
	c    *kfake.Cluster
}

func newBroker(t *testing.T) *broker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	b := &broker{t: t, dir: filepath.Join(t.TempDir(), "kafka"), port: port}
	b.start()
	t.Cleanup(b.stop)
	return b
}

func (b *broker) addr() string { return "127.0.0.1:" + strconv.Itoa(b.port) }

func (b *broker) start() {
	b.t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(b.port), kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(3), kfake.DataDir(b.dir))
	if err != nil {
		b.t.Fatalf("start kfake on %d: %v", b.port, err)
	}
	b.mu.Lock()
	b.c = c
	b.mu.Unlock()
}

func (b *broker) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c != nil {
		b.c.Close()
		b.c = nil
	}
}

// readyReport is the /readyz body.
type readyReport struct {
	Ready  bool `json:"ready"`
	Checks map[string]struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"checks"`
}

func (w *workerProc) ready() (int, readyReport) {
	code, body := w.get("/readyz")
	var r readyReport
	_ = json.Unmarshal([]byte(body), &r)
	return code, r
}

// testKafkaOutage: Kafka goes away in the middle of a session. /readyz says
// so, the worker neither crashes nor counts events as failed, and when the
// broker is back the session completes with every event delivered and the
// DLQ processor ingests again.
func testKafkaOutage(t *testing.T, bin string) {
	kb := newBroker(t)
	p := newPlatform(t, bin, []string{kb.addr()})
	const n = 200
	ids := testenv.SeedEvents(t, p.st.Events.Collection(), "pod_created", n)
	w := p.startWorker("w", "--group", testenv.UniqueName(t, "g"))
	id := p.startDetached("--type", "pod_created", "--rate", "40") // about 5s
	testenv.Eventually(t, 60*time.Second, func() bool { return p.session(id).ReplayedEvents >= 40 },
		"session %s past its first checkpoint", id)

	kb.stop()
	testenv.Eventually(t, 20*time.Second, func() bool {
		code, r := w.ready()
		return code == http.StatusServiceUnavailable && !r.Checks["kafka"].OK && r.Checks["mongodb"].OK
	}, "/readyz 503 naming kafka")
	// The outage lasts a few seconds: long enough for the producer's
	// requests and the group consumer to fail, not for the test to drag.
	// The worker is watched meanwhile.
	began := time.Now()
	testenv.Eventually(t, 20*time.Second, func() bool { return w.hasExited() || time.Since(began) >= 3*time.Second },
		"the outage to last 3s")
	if w.hasExited() {
		t.Fatalf("worker exited during the outage with %d", w.code)
	}
	if s := p.session(id); s.Status != contract.StatusRunning || s.FailedEvents != 0 {
		t.Fatalf("during the outage session %s is %s with %d failed events; want running with none", id, s.Status, s.FailedEvents)
	}

	kb.start()
	p.recovers(t, w, id, ids, p.prefix+"pod_created", 45*time.Second, 90*time.Second)

	// The DLQ processor is back too: a record produced now is ingested.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	eventID := testenv.UUID()
	prod := kafkaClient(t, p.brokers, kgo.AllowAutoTopicCreation())
	if err := prod.ProduceSync(ctx, dlqRecord(p.prefix+"dead_letter_queue", -1, eventID, time.Now().UTC())).FirstErr(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, func() bool {
		c, err := p.st.DLQ.Collection().CountDocuments(ctx, bson.D{{Key: "event.event_id", Value: eventID}})
		return err == nil && c == 1
	}, "DLQ record produced after the outage stored")
	if code, took := w.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Errorf("worker exited %d after SIGTERM (%s)", code, took)
	}
}
