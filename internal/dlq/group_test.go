package dlq

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// strictDLQ is a test's DLQ topic on a private Kafka without topic
// auto-creation (testenv.StrictKafka); notifications still go to the shared
// cluster through the manager's producer.
type strictDLQ struct {
	c       *kfake.Cluster
	topic   string
	brokers []string
	prod    *kgo.Client
}

func (e *env) strictDLQ(partitions int32) *strictDLQ {
	e.t.Helper()
	topic := e.topic(contract.DefaultDLQTopic)
	c := testenv.StrictKafka(e.t, partitions, topic)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(prod.Close)
	return &strictDLQ{c: c, topic: topic, brokers: c.ListenAddrs(), prod: prod}
}

// manager consumes the strict cluster's DLQ topic.
func (s *strictDLQ) manager(e *env, owner string) *Manager {
	m := e.manager(owner)
	m.NewConsumer = func(opts ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(s.brokers...), kgo.ClientID(owner)}, opts...)...)
	}
	return m
}

func (s *strictDLQ) produce(t *testing.T, values ...string) {
	t.Helper()
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Topic: s.topic, Value: []byte(v)}
	}
	if err := s.prod.ProduceSync(ctxT(t), recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

func (s *strictDLQ) committed(t *testing.T, group string) int64 {
	t.Helper()
	offs, err := kadm.NewClient(s.prod).FetchOffsets(ctxT(t), group)
	if err != nil {
		return 0 // the group has not committed yet
	}
	var n int64
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Err == nil && o.At > 0 {
			n += o.At
		}
	})
	return n
}

// rejectCommits answers the next n OffsetCommit requests with code on every
// partition, as a broker does while the group rebalances, and counts them.
func rejectCommits(c *kfake.Cluster, n int32, code int16) *atomic.Int32 {
	var rejected atomic.Int32
	c.ControlKey(kmsg.OffsetCommit.Int16(), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		if rejected.Load() >= n {
			c.DropControl()
			return nil, nil, false
		}
		c.KeepControl()
		req := kr.(*kmsg.OffsetCommitRequest)
		resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
		resp.SetVersion(req.GetVersion())
		for _, rt := range req.Topics {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic, st.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition, sp.ErrorCode = rp.Partition, code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		rejected.Add(1)
		return resp, nil, true
	})
	return &rejected
}

// Commits rejected because the group is rebalancing (or because our
// generation ended) are normal on a real cluster: the processor stays up,
// later commits succeed and every record is stored exactly once.
func TestCommitRejectedDuringRebalanceKeepsTheProcessorUp(t *testing.T) {
	for _, code := range []*kerr.Error{kerr.RebalanceInProgress, kerr.IllegalGeneration, kerr.UnknownMemberID} {
		t.Run(code.Message, func(t *testing.T) {
			e := newEnv(t)
			s := e.strictDLQ(1)
			group := testenv.UniqueName(t, "g")
			const rounds, per = 3, 10
			rejected := rejectCommits(s.c, 2, code.Code)

			ctx, cancel := context.WithCancel(ctxT(t))
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := s.manager(e, "rebalanced").Process(ctx, ProcessOptions{Group: group, PollInterval: 200 * time.Millisecond})
				done <- err
			}()
			failed := time.Now().UTC().Add(-time.Minute)
			var ids []string
			for r := range rounds {
				vals := make([]string, per)
				for i := range vals {
					id := fmt.Sprintf("rb-%d-%02d", r, i)
					ids = append(ids, id)
					vals[i] = dlqRecord(id, "execution_failed", e.topic("execution_failed"), 0, failed, "boom")
				}
				s.produce(t, vals...)
				want := int64(len(ids))
				testenv.Eventually(t, 60*time.Second, func() bool {
					select {
					case err := <-done:
						t.Fatalf("the processor stopped after a rejected commit (round %d): %v", r+1, err)
					default:
					}
					return e.count("dlq_messages", bson.D{}) == want
				}, "round %d: %d messages stored", r+1, want)
			}
			testenv.Eventually(t, 60*time.Second, func() bool {
				select {
				case err := <-done:
					t.Fatalf("the processor stopped: %v", err)
				default:
				}
				return s.committed(t, group) == rounds*per
			}, "the group to commit all %d records", rounds*per)
			if n := rejected.Load(); n != 2 {
				t.Errorf("%d commits rejected, want 2", n)
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Process returned %v after a clean stop", err)
			}
			if c := e.count("dlq_messages", bson.D{}); c != rounds*per {
				t.Errorf("%d messages stored, want %d", c, rounds*per)
			}
			seen := map[string]int{}
			for _, r := range readTopic(t, e.topic(EventReceived), len(ids)) {
				seen[string(r.Key)]++
			}
			testenv.AssertEachOnce(t, "dlq_message_received", ids, seen)
		})
	}
}

// A pass assigned nothing gives up only when waiting cannot help: the group
// is stable, the others own every partition and outnumber them. With no
// more members than partitions an empty assignment is the first round of a
// cooperative rebalance, and the pass waits for the second.
func TestSettledWithoutPartitions(t *testing.T) {
	worker := func(id string, ps ...int32) GroupMember {
		return GroupMember{MemberID: id, ClientID: id, Partitions: ps}
	}
	self := GroupMember{MemberID: "me"}
	cases := []struct {
		name       string
		state      string
		members    []GroupMember
		partitions int
		want       bool
	}{
		{"one worker owns the one partition", "Stable", []GroupMember{worker("w1", 0), self}, 1, true},
		{"two workers own two partitions", "Stable", []GroupMember{worker("w1", 0), worker("w2", 1), self}, 2, true},
		{"cooperative first round: as many members as partitions", "Stable", []GroupMember{worker("w1", 0), self}, 2, false},
		{"one worker still owns both of two partitions", "Stable", []GroupMember{worker("w1", 0, 1), self}, 2, false},
		{"rebalancing", "PreparingRebalance", []GroupMember{worker("w1", 0), self}, 1, false},
		{"completing a rebalance", "CompletingRebalance", []GroupMember{worker("w1", 0), self}, 1, false},
		{"a partition nobody owns", "Stable", []GroupMember{worker("w1", 0), worker("w2"), self}, 2, false},
		{"self owns one", "Stable", []GroupMember{worker("w1", 0), {MemberID: "me", Partitions: []int32{1}}, worker("w2")}, 2, false},
		{"self not described yet", "Stable", []GroupMember{worker("w1", 0), worker("w2")}, 1, false},
		{"topic without partitions", "Stable", []GroupMember{worker("w1"), self}, 0, false},
	}
	for _, c := range cases {
		others, got := settledWithout(groupState{State: c.state, Members: c.members}, "me", c.partitions)
		if got != c.want {
			t.Errorf("%s: settled = %v, want %v", c.name, got, c.want)
		}
		if got && len(others) != len(c.members)-1 {
			t.Errorf("%s: others = %v", c.name, others)
		}
	}
	// At the join timeout any state in which the others own everything counts.
	if _, got := othersOwnAll(groupState{State: "PreparingRebalance", Members: []GroupMember{worker("w1", 0, 1), self}}, "me", 2); !got {
		t.Error("othersOwnAll: a worker owning both partitions, self none: want true")
	}
}

// A member holds a rebalance while it persists and commits a fetch, so the
// batch's deadline must end inside the group's rebalance timeout, with room
// for the commit's own retries; and a --once join outlasts a rebalance.
func TestBatchBudgetFitsTheRebalanceTimeout(t *testing.T) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers("127.0.0.1:1")},
		consumerOpts("t", ProcessOptions{Group: "g"}, &assignment{parts: map[int32]bool{}})...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rebalance, _ := cl.OptValue(kgo.RebalanceTimeout).(time.Duration)
	const commitRetry, handover = 30 * time.Second, 15 * time.Second
	if batchTimeout+handover > rebalance {
		t.Errorf("batch deadline %s + %s hand-over exceeds the rebalance timeout %s", batchTimeout, handover, rebalance)
	}
	if commitRetry > batchTimeout {
		t.Errorf("the commit's retry budget %s does not fit in the batch deadline %s", commitRetry, batchTimeout)
	}
	if joinTimeout <= rebalance {
		t.Errorf("join timeout %s does not outlast the rebalance timeout %s", joinTimeout, rebalance)
	}
	if maxBatch <= 0 || maxBatch > 1000 {
		t.Errorf("records per poll %d: want a cap of at most 1000", maxBatch)
	}
}

// With no more members than partitions, a --once pass that joins beside a
// member owning them all is first assigned nothing (a cooperative rebalance
// moves partitions in two rounds). It waits for its share and reads it,
// instead of taking the empty first assignment for caught up.
func TestOncePassBesideAMemberWaitsForItsShare(t *testing.T) {
	e := newEnv(t)
	s := e.strictDLQ(2)
	group := testenv.UniqueName(t, "g")
	prod, err := kgo.NewClient(kgo.SeedBrokers(s.brokers...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	failed := time.Now().UTC().Add(-time.Minute)
	perPartition := map[int32]int{0: 3, 1: 5}
	idsOf := map[string]int32{}
	for p, n := range perPartition {
		for i := range n {
			id := fmt.Sprintf("share-p%d-%d", p, i)
			idsOf[id] = p
			rec := &kgo.Record{Topic: s.topic, Partition: p,
				Value: []byte(dlqRecord(id, "execution_failed", e.topic("execution_failed"), 0, failed, "boom"))}
			if err := prod.ProduceSync(ctxT(t), rec).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A member that owns both partitions and reads nothing (it never polls;
	// kgo rebalances it from its own goroutines).
	holder, err := kgo.NewClient(kgo.SeedBrokers(s.brokers...), kgo.ClientID("holder"),
		kgo.ConsumerGroup(group), kgo.ConsumeTopics(s.topic), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	adm := kadm.NewClient(prod)
	testenv.Eventually(t, 30*time.Second, func() bool {
		gs, err := adm.DescribeGroups(ctxT(t), group)
		g := gs[group]
		return err == nil && g.State == "Stable" && len(g.Members) == 1 && len(g.AssignedPartitions()[s.topic]) == 2
	}, "the holder to own both partitions")

	stats, err := s.manager(e, "once").Process(ctxT(t), ProcessOptions{Once: true, Group: group})
	if err != nil {
		t.Fatalf("the pass failed: %v", err)
	}
	stored := testenv.FindAll[contract.DLQMessage](t, e.st.DLQ.Collection(), bson.D{})
	if len(stored) == 0 {
		t.Fatalf("the pass read nothing (%+v): it took the empty first assignment for caught up", stats)
	}
	p := idsOf[stored[0].EventID()]
	for _, m := range stored {
		if idsOf[m.EventID()] != p {
			t.Errorf("stored %s of partition %d besides partition %d: the holder kept one of them", m.EventID(), idsOf[m.EventID()], p)
		}
	}
	if len(stored) != perPartition[p] || stats.Received != int64(perPartition[p]) {
		t.Errorf("partition %d: stored %d, received %d, want each of its %d records once", p, len(stored), stats.Received, perPartition[p])
	}
}
