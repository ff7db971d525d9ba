package dlq

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/integr8scode/replayctl/internal/wait"
)

// Environment of the child process TestProcessCrashChild.
const (
	envCrashChild   = "DLQ_CRASH_CHILD"
	envCrashMongo   = "DLQ_CRASH_MONGO"
	envCrashDB      = "DLQ_CRASH_DB"
	envCrashBrokers = "DLQ_CRASH_BROKERS"
	envCrashPrefix  = "DLQ_CRASH_PREFIX"
	envCrashGroup   = "DLQ_CRASH_GROUP"
)

// survivor names the pass after the kills, as its owner and Kafka client id.
const survivor = "dlq-crash-survivor"

// crashFetchBytes keeps fetches small, so a pass persists and commits many
// batches and a kill lands in the middle of the ingestion.
const crashFetchBytes = 16 << 10

// TestProcessCrashChild is the `dlq process --once` the crash test kills:
// it only runs when the crash test starts this binary again with
// envCrashChild set.
func TestProcessCrashChild(t *testing.T) {
	if os.Getenv(envCrashChild) == "" {
		t.Skip("helper process of TestKilledOncePassDoesNotBlockTheNext")
	}
	ctx := context.Background()
	st, err := store.Connect(ctx, store.Options{URI: os.Getenv(envCrashMongo), Database: os.Getenv(envCrashDB)})
	if err != nil {
		t.Fatal(err)
	}
	brokers := strings.Split(os.Getenv(envCrashBrokers), ",")
	prod, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	prefix := os.Getenv(envCrashPrefix)
	m := crashManager(st, prod, prefix, brokers, "doomed-child")
	_, err = m.Process(ctx, ProcessOptions{Once: true, Group: os.Getenv(envCrashGroup)})
	t.Fatalf("the child should have been killed, but Process returned: %v", err)
}

func crashManager(st *store.Store, prod *kgo.Client, prefix string, brokers []string, owner string) *Manager {
	return &Manager{
		Store: st, Kafka: prod, TopicPrefix: prefix, DLQTopic: prefix + contract.DefaultDLQTopic, Owner: owner,
		Logger: testLogger(),
		NewConsumer: func(opts ...kgo.Opt) (*kgo.Client, error) {
			base := []kgo.Opt{kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation(), kgo.FetchMaxPartitionBytes(crashFetchBytes), kgo.FetchMaxBytes(3 * crashFetchBytes)}
			if owner == survivor {
				base = append(base, kgo.ClientID(survivor))
			}
			return kgo.NewClient(append(base, opts...)...)
		},
	}
}

// A `dlq process --once` killed with SIGKILL in the middle of an ingestion,
// twice, does not hold up the next pass: it is assigned the partitions at
// once and finishes the topic, with every record stored exactly once.
// (Before static membership the next pass waited for the dead member's
// session to time out, and failed after 60 s.)
func TestKilledOncePassDoesNotBlockTheNext(t *testing.T) {
	e := newEnv(t)
	const n = 3000
	group := testenv.UniqueName(t, "g")
	failed := time.Now().UTC().Add(-time.Minute)
	values := make([]string, n)
	for i := range values {
		values[i] = dlqRecord(fmt.Sprintf("crash-%05d", i), "execution_failed", e.topic("execution_failed"), 0, failed, "boom")
	}
	e.produce(values...)

	adm := kadm.NewClient(e.kafka)
	var committed int64
	for kill := 1; kill <= 2; kill++ {
		before := committed
		born := time.Now()
		child := e.startCrashChild(group)
		testenv.Eventually(t, 90*time.Second, func() bool {
			committed = committedTotal(t, adm, group)
			return committed > before
		}, "child %d to commit a batch (output: %s)", kill, child.out)
		child.kill(t)
		committed = committedTotal(t, adm, group)
		if committed >= n {
			t.Fatalf("child %d finished the topic before it was killed", kill)
		}
		alive := time.Since(born)
		t.Logf("child %d killed after the group committed %d of %d records (%d in its %s: %.0f records/s)",
			kill, committed, n, committed-before, alive.Round(time.Millisecond), float64(committed-before)/alive.Seconds())
	}

	m := crashManager(e.st, e.kafka, e.prefix, testenv.Shared(t).KafkaBrokers(), survivor)
	start := time.Now()
	watch, stopWatch := context.WithCancel(ctxT(t))
	joined := watchJoin(watch, adm, group, survivor, start)
	var persisted time.Duration
	stats, err := m.Process(ctxT(t), ProcessOptions{Once: true, Group: group,
		OnBatch: func(_ int, d time.Duration) { persisted += d }})
	took := time.Since(start)
	stopWatch()
	joinWait := <-joined
	if err != nil {
		t.Fatalf("the pass after the crashes failed after %s: %v", took, err)
	}
	left := n - committed
	t.Logf("pass after two kills: partitions assigned after %s; %d records left took %s in all, %s persisting (%.0f records/s): %+v",
		joinWait.Round(time.Millisecond), left, took.Round(time.Millisecond), persisted.Round(time.Millisecond),
		float64(left)/persisted.Seconds(), stats)
	// A dynamic member waited for the killed one's session to time out (it
	// failed after 60 s); a static one takes its place at once.
	if joinWait < 0 || joinWait > 15*time.Second {
		t.Errorf("partitions assigned after %s: the pass waited for the killed members", joinWait)
	}
	if got := stats.Received + stats.Duplicates; got < left {
		t.Errorf("the pass accounted for %d records, want at least the %d left uncommitted", got, left)
	}
	if c := committedTotal(t, adm, group); c != n {
		t.Errorf("group committed %d of %d records", c, n)
	}
	if c := e.count("dlq_messages", bson.D{}); c != n {
		t.Errorf("%d messages stored, want each of the %d exactly once", c, n)
	}
}

// watchJoin reports how long after start the group first became stable
// with clientID as a member (-1 if ctx ends first).
func watchJoin(ctx context.Context, adm *kadm.Client, group, clientID string, start time.Time) <-chan time.Duration {
	out := make(chan time.Duration, 1)
	go func() {
		for ctx.Err() == nil {
			gs, err := adm.DescribeGroups(ctx, group)
			if err == nil {
				g := gs[group]
				for _, mem := range g.Members {
					if g.State == "Stable" && mem.ClientID == clientID {
						out <- time.Since(start)
						return
					}
				}
			}
			_ = wait.Sleep(ctx, 20*time.Millisecond)
		}
		out <- -1
	}()
	return out
}

type crashChild struct {
	cmd *exec.Cmd
	out *strings.Builder
}

func (e *env) startCrashChild(group string) crashChild {
	e.t.Helper()
	stack := testenv.Shared(e.t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestProcessCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashMongo+"="+stack.MongoURI(), envCrashDB+"="+e.db.Name(),
		envCrashBrokers+"="+strings.Join(stack.KafkaBrokers(), ","), envCrashPrefix+"="+e.prefix, envCrashGroup+"="+group)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	c := crashChild{cmd: cmd, out: out}
	e.t.Cleanup(func() { _ = c.cmd.Process.Kill(); _ = c.cmd.Wait() })
	return c
}

// kill sends SIGKILL: no commit, no leave, no cleanup at all.
func (c crashChild) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

// committedTotal sums the group's committed offsets (0 before any commit).
func committedTotal(t *testing.T, adm *kadm.Client, group string) int64 {
	t.Helper()
	offs, err := adm.FetchOffsets(ctxT(t), group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return 0
	}
	if err != nil {
		t.Fatalf("committed offsets of %s: %v", group, err)
	}
	var n int64
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Err == nil && o.At > 0 {
			n += o.At
		}
	})
	return n
}
