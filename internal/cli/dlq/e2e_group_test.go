package dlqcmd

import (
	"context"
	"encoding/json"
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

// groupStack is a test's DLQ topic (one partition) on a private Kafka
// without topic auto-creation, the commands pointed at it.
type groupStack struct {
	dlqTopic string
	brokers  []string
	prod     *kgo.Client
}

func (e *env) groupStack(t *testing.T) *groupStack {
	dlqTopic := e.topic(contract.DefaultDLQTopic)
	c := testenv.StrictKafka(t, 1, dlqTopic, e.topic("execution_failed"), e.topic(dlq.EventReceived), e.topic(dlq.EventRetried))
	brokers := c.ListenAddrs()
	e.Vars[config.EnvKafkaBrokers] = strings.Join(brokers, ",")
	prod, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prod.Close)
	return &groupStack{dlqTopic: dlqTopic, brokers: brokers, prod: prod}
}

func (g *groupStack) produce(t *testing.T, value []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if err := g.prod.ProduceSync(ctx, &kgo.Record{Topic: g.dlqTopic, Value: value}).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// awaitOwner waits until one member of the default group owns the partition.
func (g *groupStack) awaitOwner(t *testing.T) {
	t.Helper()
	testenv.Eventually(t, 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gs, err := kadm.NewClient(g.prod).DescribeGroups(ctx, defaultGroup)
		grp := gs[defaultGroup]
		return err == nil && grp.State == "Stable" && len(grp.Members) == 1 && grp.AssignedPartitions()[g.dlqTopic] != nil
	}, "a member to own the partition")
}

// `dlq process --once` beside a member of the same group that owns every
// partition of the DLQ topic (one partition, one member) while records
// wait uncommitted reads nothing; it says so, naming the group and its
// members, and exits 4 instead of reporting an empty pass as success.
func TestE2EProcessOnceBesideAWorkerThatOwnsEveryPartition(t *testing.T) {
	e := newEnv(t)
	g := e.groupStack(t)
	// A member that owns the partition and is behind: it never polls, so
	// what is on the topic stays uncommitted (kgo keeps it in the group
	// from its own goroutines).
	holder, err := kgo.NewClient(kgo.SeedBrokers(g.brokers...), kgo.ClientID("worker-a"),
		kgo.ConsumerGroup(defaultGroup), kgo.ConsumeTopics(g.dlqTopic), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	g.produce(t, e.dlqRecord(uuid("held-1"), "execution_failed", 0, time.Minute))
	g.awaitOwner(t)

	began := time.Now()
	res := e.wantExit(exitcode.InvalidState, runOpts{}, "process", "--once", "--poll-interval", "100ms")
	t.Logf("--once answered after %s: %s", time.Since(began).Round(time.Millisecond), res.Stderr)
	for _, want := range []string{defaultGroup, "worker-a", g.dlqTopic, "own every partition"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr does not name %q:\n%s", want, res.Stderr)
		}
	}
	if strings.Contains(strings.ToLower(res.Stdout+res.Stderr), "caught up") {
		t.Errorf("an empty pass reported as caught up:\n%s%s", res.Stdout, res.Stderr)
	}
}

// Beside a running worker that owns every partition and has committed
// everything on the topic, `dlq process --once` has nothing to read: it is
// a normal caught-up pass (exit 0) that also retries what is due.
func TestE2EProcessOnceBesideACaughtUpWorkerExitsZero(t *testing.T) {
	e := newEnv(t)
	g := e.groupStack(t)
	worker := &dlq.Manager{
		Store: e.st, Kafka: g.prod, TopicPrefix: e.prefix, DLQTopic: g.dlqTopic, Owner: "worker-a",
		NewConsumer: func(opts ...kgo.Opt) (*kgo.Client, error) {
			return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(g.brokers...), kgo.ClientID("worker-a")}, opts...)...)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		// An hour between due rounds: the due message below is the pass's.
		_, err := worker.Process(ctx, dlq.ProcessOptions{Group: defaultGroup, PollInterval: time.Hour})
		done <- err
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the worker's processor: %v", err)
		}
	}()
	g.produce(t, e.dlqRecord(uuid("read-1"), "execution_failed", 0, time.Minute))
	testenv.Eventually(t, 60*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n, err := e.st.DLQ.Collection().CountDocuments(ctx, bson.D{})
		if err != nil || n != 1 {
			return false
		}
		offs, err := kadm.NewClient(g.prod).FetchOffsets(ctx, defaultGroup)
		at, ok := offs.Lookup(g.dlqTopic, 0)
		return err == nil && ok && at.At == 1
	}, "the worker to store and commit the record")
	g.awaitOwner(t)
	due := uuid("due-1")
	e.insert(msgSpec{id: due, typ: "execution_failed", status: "scheduled", nextRetryIn: dur(-time.Minute), failedAgo: time.Hour, err: "x"})

	res := e.wantExit(exitcode.OK, runOpts{}, "process", "--once", "-o", "json")
	var sum struct{ Received, Retried int64 }
	if err := json.Unmarshal([]byte(res.Stdout), &sum); err != nil || sum.Received != 0 || sum.Retried != 1 {
		t.Errorf("summary %s (%v), want nothing received and the due message retried", res.Stdout, err)
	}
	select {
	case err := <-done:
		t.Fatalf("the worker stopped while --once ran: %v", err)
	default:
	}
}
