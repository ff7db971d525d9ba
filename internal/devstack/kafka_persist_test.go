package devstack_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/devstack"
)

// With KafkaDataDir, topics, records and committed group offsets survive a
// restart; without it kfake is in memory.
func TestKafkaDataDirSurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := devstack.Options{MongoAddr: freeAddr, KafkaAddr: freeAddr, DataDir: t.TempDir(), KafkaDataDir: t.TempDir()}

	first := start(t, opts)
	produce(ctx, t, first, "persisted", 10)
	commitOffset(ctx, t, first, "g", "persisted", 4)
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	second := start(t, opts)
	if got := countRecords(ctx, t, second, "persisted"); got != 10 {
		t.Fatalf("after restart: %d records, want 10", got)
	}
	adm := kadm.NewClient(kafkaClient(t, second))
	defer adm.Close()
	offs, err := adm.FetchOffsets(ctx, "g")
	if err != nil {
		t.Fatalf("fetch offsets: %v", err)
	}
	if o, ok := offs.Lookup("persisted", 0); !ok || o.At != 4 {
		t.Fatalf("committed offset after restart = %+v (found %v), want 4", o, ok)
	}
}

func produce(ctx context.Context, t *testing.T, s *devstack.Stack, topic string, n int) {
	t.Helper()
	cl := kafkaClient(t, s, kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	defer cl.Close()
	for i := range n {
		r := &kgo.Record{Value: []byte(fmt.Sprint(i)), Partition: 0}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
}

func commitOffset(ctx context.Context, t *testing.T, s *devstack.Stack, group, topic string, at int64) {
	t.Helper()
	adm := kadm.NewClient(kafkaClient(t, s))
	defer adm.Close()
	var offs kadm.Offsets
	offs.Add(kadm.Offset{Topic: topic, Partition: 0, At: at, LeaderEpoch: -1})
	resp, err := adm.CommitOffsets(ctx, group, offs)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatalf("commit offsets: %v", err)
	}
}

func countRecords(ctx context.Context, t *testing.T, s *devstack.Stack, topic string) int {
	t.Helper()
	adm := kadm.NewClient(kafkaClient(t, s))
	defer adm.Close()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatalf("end offsets: %v", err)
	}
	cl := kafkaClient(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	want := 0
	ends.Each(func(o kadm.ListedOffset) { want += int(o.Offset) })
	got := 0
	for got < want {
		fs := cl.PollFetches(ctx)
		if err := fs.Err(); err != nil {
			t.Fatalf("consume after %d of %d: %v", got, want, err)
		}
		got += fs.NumRecords()
	}
	return got
}
