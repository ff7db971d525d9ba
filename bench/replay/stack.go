package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

// bench is the running stack and the clients of the parent process.
type bench struct {
	stack *devstack.Stack
	dir   string
	mongo *mongo.Client
	kafka *kgo.Client // built as the CLI builds its replaying client
}

func start(ctx context.Context) (*bench, error) {
	dir, err := os.MkdirTemp("", "replayctl-bench-replay-")
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	stack, err := devstack.Start(sctx, devstack.Options{
		MongoAddr: "127.0.0.1:0", KafkaAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "mongo"),
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	b := &bench{stack: stack, dir: dir}
	if b.mongo, err = mongo.Connect(options.Client().ApplyURI(stack.MongoURI())); err != nil {
		b.close()
		return nil, err
	}
	if b.kafka, err = producerClient(stack.KafkaBrokers()); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func producerClient(brokers []string) (*kgo.Client, error) {
	// The embedded stack creates topics on demand when asked (as `replayctl
	// dev` contexts do).
	return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation()}, replay.ProducerOpts()...)...)
}

func (b *bench) close() {
	if b.kafka != nil {
		b.kafka.Close()
	}
	if b.mongo != nil {
		_ = b.mongo.Disconnect(context.Background())
	}
	_ = b.stack.Close()
	_ = os.RemoveAll(b.dir)
}

func (b *bench) store(db string) *store.Store {
	return store.FromClient(b.mongo, store.Options{Database: db})
}

// seedEvents fills db's events with n platform-shaped events (no DLQ).
func (b *bench) seedEvents(ctx context.Context, db string, n int) (time.Duration, error) {
	start := time.Now()
	_, err := seed.Seed(ctx, b.mongo.Database(db), seed.Options{
		Events: n, DLQMessages: -1, Rand: rand.New(rand.NewPCG(uint64(n), 7)),
	})
	if err != nil {
		return 0, fmt.Errorf("seed %d events: %w", n, err)
	}
	return time.Since(start), nil
}
