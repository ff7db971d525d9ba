package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Listing offsets names topics; a client that may create topics on demand
// must not create the ones that do not exist by listing them.
func TestEndOffsetsNeitherListNorCreateMissingTopics(t *testing.T) {
	// A cluster that creates topics on demand, like the dev stack's.
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(0), kfake.AllowAutoTopicCreation(), kfake.SeedTopics(2, "present"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "present", Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	offs, err := EndOffsets(ctx, cl, []string{"absent", "present"})
	if err != nil {
		t.Fatal(err)
	}
	if len(offs) != 1 || offs[0].Topic != "present" || len(offs[0].Partitions) != 2 {
		t.Fatalf("offsets %+v, want the two partitions of present alone", offs)
	}
	var total int64
	for _, p := range offs[0].Partitions {
		total += p.Offset
	}
	if total != 1 {
		t.Errorf("end offsets %+v sum to %d, want 1 record", offs[0].Partitions, total)
	}
	topics, err := kadm.NewClient(cl).ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if topics.Has("absent") {
		t.Error("listing the offsets of a missing topic created it")
	}
}
