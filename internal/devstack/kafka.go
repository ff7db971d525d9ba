package devstack

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
)

// startKafka starts a one-broker kfake cluster on exactly opts.KafkaAddr.
// kfake itself only listens on 127.0.0.1:<port>, so we listen ourselves and
// hand it the listener: that honours the host part and yields a clear error
// when the address is taken.
func (s *Stack) startKafka(opts Options) error {
	ln, err := net.Listen("tcp", opts.KafkaAddr)
	if err != nil {
		return addrError("Kafka (kfake)", opts.KafkaAddr, "--kafka-addr", err)
	}
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(opts.KafkaPartitions),
		kfake.ListenFn(handOver(ln)),
		kfake.WithLogger(kfakeLogger{opts.Logger.With(slog.String("server", "kfake"))}),
	}
	if opts.KafkaDataDir != "" {
		if err := os.MkdirAll(opts.KafkaDataDir, 0o700); err != nil {
			_ = ln.Close()
			return fmt.Errorf("devstack: create kafka data dir %q: %w", opts.KafkaDataDir, err)
		}
		kopts = append(kopts, kfake.DataDir(opts.KafkaDataDir))
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("devstack: start kafka (kfake) on %s: %w", opts.KafkaAddr, err)
	}
	s.kafka = c
	s.brokers = []string{loopbackAddr(ln.Addr())}
	return nil
}

// handOver returns a kfake.ListenFn that yields ln once (kfake asks once per
// broker, and we run one broker) and refuses any later call.
func handOver(ln net.Listener) func(network, address string) (net.Listener, error) {
	var mu sync.Mutex
	return func(string, string) (net.Listener, error) {
		mu.Lock()
		defer mu.Unlock()
		if ln == nil {
			return nil, errors.New("devstack: kfake asked for a second listener")
		}
		l := ln
		ln = nil
		return l, nil
	}
}
