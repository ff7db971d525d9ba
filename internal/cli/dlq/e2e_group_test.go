package dlqcmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// `dlq process --once` beside a running processor of the same group that
// owns every partition of the DLQ topic (one partition, one worker) reads
// nothing; it says so, naming the group and its members, and exits 4
// instead of reporting an empty pass as success.
func TestE2EProcessOnceBesideAWorkerThatOwnsEveryPartition(t *testing.T) {
	e := newEnv(t)
	dlqTopic := e.topic(contract.DefaultDLQTopic)
	c := testenv.StrictKafka(t, 1, dlqTopic, e.topic(dlq.EventReceived))
	brokers := c.ListenAddrs()
	e.Vars[config.EnvKafkaBrokers] = strings.Join(brokers, ",")
	prod, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()

	worker := &dlq.Manager{
		Store: e.st, Kafka: prod, TopicPrefix: e.prefix, DLQTopic: dlqTopic, Owner: "worker-a",
		NewConsumer: func(opts ...kgo.Opt) (*kgo.Client, error) {
			return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ClientID("worker-a")}, opts...)...)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := worker.Process(ctx, dlq.ProcessOptions{Group: defaultGroup, PollInterval: 200 * time.Millisecond})
		done <- err
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the worker's processor: %v", err)
		}
	}()
	// The worker owns the partition once it has stored what is on it.
	id := uuid("held-1")
	ctxP, cancelP := context.WithTimeout(context.Background(), commandTimeout)
	defer cancelP()
	if err := prod.ProduceSync(ctxP, &kgo.Record{Topic: dlqTopic, Value: e.dlqRecord(id, "execution_failed", 0, time.Minute)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, func() bool {
		n, err := e.st.DLQ.Collection().CountDocuments(ctxP, bson.D{})
		return err == nil && n == 1
	}, "the worker to store the first message")
	testenv.Eventually(t, 30*time.Second, func() bool {
		gs, err := kadm.NewClient(prod).DescribeGroups(ctxP, defaultGroup)
		g := gs[defaultGroup]
		return err == nil && g.State == "Stable" && len(g.Members) == 1 && g.AssignedPartitions()[dlqTopic] != nil
	}, "the worker to own the partition")

	began := time.Now()
	res := e.wantExit(exitcode.InvalidState, runOpts{}, "process", "--once", "--poll-interval", "100ms")
	t.Logf("--once answered after %s: %s", time.Since(began).Round(time.Millisecond), res.Stderr)
	for _, want := range []string{defaultGroup, "worker-a", dlqTopic, "own every partition"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr does not name %q:\n%s", want, res.Stderr)
		}
	}
	if strings.Contains(strings.ToLower(res.Stdout+res.Stderr), "caught up") {
		t.Errorf("an empty pass reported as caught up:\n%s%s", res.Stdout, res.Stderr)
	}
	select {
	case err := <-done:
		t.Fatalf("the worker stopped while --once ran: %v", err)
	default:
	}
}
