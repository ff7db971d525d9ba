package devstack

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const (
	defaultReadyTimeout = 30 * time.Second
	readyPollInterval   = 20 * time.Millisecond
	readyAttemptTimeout = 2 * time.Second
)

// waitReady returns once both servers answer a real request, so callers can
// use the stack immediately instead of retrying their first operation.
func (s *Stack) waitReady(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultReadyTimeout)
		defer cancel()
	}
	if err := s.waitMongo(ctx); err != nil {
		return err
	}
	return s.waitKafka(ctx)
}

func (s *Stack) waitMongo(ctx context.Context) error {
	client, err := mongo.Connect(options.Client().ApplyURI(s.mongoURI).
		SetServerSelectionTimeout(readyAttemptTimeout))
	if err != nil {
		return fmt.Errorf("devstack: mongo client for %s: %w", s.mongoURI, err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	err = poll(ctx, func(ctx context.Context) error { return client.Ping(ctx, nil) })
	if err != nil {
		return fmt.Errorf("devstack: MongoDB at %s not ready: %w", s.mongoURI, err)
	}
	return nil
}

func (s *Stack) waitKafka(ctx context.Context) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.brokers...))
	if err != nil {
		return fmt.Errorf("devstack: kafka client for %v: %w", s.brokers, err)
	}
	defer cl.Close()
	err = poll(ctx, func(ctx context.Context) error {
		_, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
		return err
	})
	if err != nil {
		return fmt.Errorf("devstack: Kafka at %v not ready: %w", s.brokers, err)
	}
	return nil
}

// poll calls try until it succeeds or ctx ends; each attempt gets its own
// short timeout so one hung attempt cannot eat the whole deadline.
func poll(ctx context.Context, try func(context.Context) error) error {
	t := time.NewTicker(readyPollInterval)
	defer t.Stop()
	for {
		actx, cancel := context.WithTimeout(ctx, readyAttemptTimeout)
		err := try(actx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-t.C:
		}
	}
}
