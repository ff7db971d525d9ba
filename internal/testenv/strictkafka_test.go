package testenv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/testenv"
)

// TestStrictKafkaRefusesUnknownTopics: a client that asks for auto-creation
// still cannot produce to a topic the strict cluster was not seeded with,
// and can to one it was.
func TestStrictKafkaRefusesUnknownTopics(t *testing.T) {
	c := testenv.StrictKafka(t, 2, "seeded")
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.AllowAutoTopicCreation(),
		kgo.RecordDeliveryTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "seeded", Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatalf("produce to the seeded topic: %v", err)
	}
	err = cl.ProduceSync(ctx, &kgo.Record{Topic: "missing", Value: []byte("x")}).FirstErr()
	if !errors.Is(err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("produce to a missing topic: %v; want UNKNOWN_TOPIC_OR_PARTITION", err)
	}
}
