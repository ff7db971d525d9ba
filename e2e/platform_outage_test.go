package e2e_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// ownStack is an embedded stack of the test's own (the shared one cannot be
// stopped), restartable on the same ports with its data.
type ownStack struct {
	t    *testing.T
	opts devstack.Options
	s    *devstack.Stack
}

func newOwnStack(t *testing.T) *ownStack {
	t.Helper()
	dir := t.TempDir()
	o := &ownStack{t: t, opts: devstack.Options{
		MongoAddr: testenv.FreeAddr(t), KafkaAddr: testenv.FreeAddr(t),
		DataDir: filepath.Join(dir, "mongo"), KafkaDataDir: filepath.Join(dir, "kafka"),
	}}
	o.start()
	t.Cleanup(o.stop)
	return o
}

func (o *ownStack) start() {
	o.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := devstack.Start(ctx, o.opts)
	if err != nil {
		o.t.Fatalf("start own stack: %v", err)
	}
	o.s = s
}

func (o *ownStack) stop() {
	if o.s != nil {
		_ = o.s.Close()
		o.s = nil
	}
}

// testPlatformOutage: MongoDB and Kafka both go away in the middle of a
// session for longer than the lease. /readyz names both, the worker stays
// up, and once they are back it takes the session again from its last
// checkpoint and completes it with every event delivered.
func testPlatformOutage(t *testing.T, bin string) {
	own := newOwnStack(t)
	uri, brokers := own.s.MongoURI(), own.s.KafkaBrokers()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	p := setupPlatform(t, bin, uri, brokers, client.Database(testenv.UniqueName(t, "db")))
	const n = 200
	ids := testenv.SeedEvents(t, p.st.Events.Collection(), "execution_completed", n)
	w := p.startWorker("w", "--dlq=false")
	id := p.startDetached("--type", "execution_completed", "--rate", "40")
	testenv.Eventually(t, 60*time.Second, func() bool { return p.session(id).ReplayedEvents >= 40 },
		"session %s past its first checkpoint", id)

	own.stop()
	testenv.Eventually(t, 20*time.Second, func() bool {
		code, r := w.ready()
		return code == http.StatusServiceUnavailable && !r.Checks["mongodb"].OK && !r.Checks["kafka"].OK
	}, "/readyz 503 naming mongodb and kafka")
	// Past the 3s lease: the runner must stop trusting its claim by its own
	// clock and pause sending, and take the session again afterwards.
	testenv.Eventually(t, 30*time.Second, func() bool {
		return w.hasExited() || strings.Contains(w.log(), "sending is paused until MongoDB confirms it")
	}, "the runner to pause on its lapsed claim during the outage")
	if w.hasExited() {
		t.Fatalf("worker exited during the outage with %d", w.code)
	}

	own.start()
	p.recovers(t, w, id, ids, p.prefix+"execution_completed", 60*time.Second, 120*time.Second)
	if code, took := w.stop(syscall.SIGTERM, 25*time.Second); code != 0 {
		t.Errorf("worker exited %d after SIGTERM (%s)", code, took)
	}
}
