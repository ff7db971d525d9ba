package worker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// A worker on a cluster that does not create topics, given a session
// whose topic is missing (started with --detach elsewhere), fails it
// before sending anything, with the topic and the fix in its error; it
// does not retry it on every poll.
func TestWorkerFailsSessionWithMissingTopicBeforeSending(t *testing.T) {
	db := testenv.Database(t)
	st := store.FromClient(db.Client(), store.Options{Database: db.Name()})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	var events []any
	for i := range 5 {
		events = append(events, bson.D{{Key: "event_id", Value: testenv.UniqueName(t, "ev") + string(rune('a'+i))},
			{Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: base.Add(time.Duration(i) * time.Second)}})
	}
	if _, err := st.Events.Collection().InsertMany(ctx, events); err != nil {
		t.Fatal(err)
	}
	c := testenv.StrictKafka(t, 1)
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, replay.ProducerOpts()...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	prefix := testenv.UniqueName(t, "p") + "_"
	svc := &replay.Service{Store: st, Kafka: cl, TopicPrefix: prefix, Owner: "worker-test", LeaseTTL: 3 * time.Second}
	sess, err := svc.Create(ctx, replay.Spec{Types: []string{"user_login"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Start(ctx, sess.SessionID); err != nil {
		t.Fatal(err)
	}

	w := &Worker{Replay: svc, Metrics: NewMetrics(), Options: fastOptions()}
	stop := runWorker(t, w)
	var got *contract.Session
	waitFor(t, 60*time.Second, func() bool {
		got, err = st.Sessions.Get(ctx, sess.SessionID)
		return err == nil && got.Status.Terminal()
	}, "the worker ended the session")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got.Status != contract.StatusFailed || got.ReplayedEvents+got.FailedEvents != 0 {
		t.Fatalf("status %s, replayed %d, failed %d: want failed with nothing sent", got.Status, got.ReplayedEvents, got.FailedEvents)
	}
	if got.Error == nil || !strings.Contains(*got.Error, prefix+"user_login") || !strings.Contains(*got.Error, "--allow-missing-topics") {
		t.Fatalf("session error %v does not name the topic and the fix", got.Error)
	}
	if n := testenv.CountRecords(t, c.ListenAddrs(), prefix+"user_login"); n != 0 {
		t.Fatalf("%d records sent", n)
	}
}
