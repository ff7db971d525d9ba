// Package wiring is the one place that turns resolved settings into
// replayctl's clients and domain services. Every command and the worker
// build their replay.Service, dlq.Manager, producers and consumers here, so
// they talk to the same servers with the same process identity, timeouts
// and producer settings.
package wiring

import (
	"context"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/verify"
)

// minPing is a floor under the settings' timeout for a producer's
// reachability check, so a very short --timeout does not fail a command
// whose cluster is merely a little slow to answer the first metadata request.
const minPing = time.Second

// Wiring builds one process's services. Settings and Store are required.
type Wiring struct {
	Settings *config.Settings
	Store    *store.Store
	// Owner names this process in every lease, claim and request; Owner()
	// builds one. One process has one owner across all its services.
	Owner  string
	Now    func() time.Time
	Logger *slog.Logger
	// OnClose registers a client to close when the process is done with it.
	OnClose func(func())
	// Version is replayctl's, recorded in the audit trail.
	Version string
}

// Owner names a process for leases, claims and requests (host, pid and a
// random suffix); every service of one process shares it.
func Owner() string { return replay.NewOwner() }

// StoreOptions maps settings to storage options.
func StoreOptions(s *config.Settings) store.Options {
	return store.Options{
		URI:      s.MongoURI,
		Database: s.Database,
		Timeout:  s.Timeout,
		Collections: store.Collections{
			Events: s.Collections.Events, Sessions: s.Collections.Sessions, DLQ: s.Collections.DLQ,
		},
	}
}

// KafkaOptions maps settings to Kafka client options.
func KafkaOptions(s *config.Settings) (kafka.Options, error) {
	tlsCfg, err := s.KafkaTLSConfig()
	if err != nil {
		return kafka.Options{}, err
	}
	mech, err := s.KafkaSASL()
	if err != nil {
		return kafka.Options{}, err
	}
	return kafka.Options{Brokers: s.KafkaBrokers, TLS: tlsCfg, SASL: mech, Timeout: s.Timeout,
		AutoCreateTopics: s.KafkaAutoCreateTopics}, nil
}

// ReplayService is the replay engine without a producer; attach one from
// ReplayProducer when a session publishes to Kafka.
func (w *Wiring) ReplayService() *replay.Service {
	return &replay.Service{
		Store:       w.Store,
		TopicPrefix: w.Settings.TopicPrefix,
		Owner:       w.owner(),
		Now:         w.Now,
		Logger:      w.logger(),
	}
}

// ReplayProducer is a pinged client with the engine's producer settings
// (acks=all, idempotence, bounded buffers), which a shared client lacks.
func (w *Wiring) ReplayProducer(ctx context.Context, clientID string) (*kgo.Client, error) {
	return w.producer(ctx, clientID, replay.ProducerOpts()...)
}

// DLQManager is the DLQ manager without Kafka clients; attach a producer
// from DLQProducer and a consumer factory from DLQConsumers as needed.
func (w *Wiring) DLQManager() *dlq.Manager {
	return &dlq.Manager{
		Store:       w.Store,
		TopicPrefix: w.Settings.TopicPrefix,
		DLQTopic:    w.Settings.DLQTopicName(),
		Environment: w.Settings.Environment,
		Owner:       w.owner(),
		Now:         w.Now,
		Logger:      w.logger(),
		// The pair DLQProducer's delivery timeout is derived from.
		ClaimTTL:        dlq.DefaultClaimTTL,
		DeliveryTimeout: DeliveryTimeout(w.Settings.Timeout, dlq.DefaultClaimTTL),
	}
}

// DLQJobs is the redrive job service over m (which needs a producer only
// to run jobs).
func (w *Wiring) DLQJobs(m *dlq.Manager) *dlqjob.Service {
	return &dlqjob.Service{Store: w.Store, DLQ: m, Owner: w.owner(), Now: w.Now, Logger: w.logger(), Audit: w.Auditor()}
}

// Auditor writes this process's audit records (as the settings' actor).
func (w *Wiring) Auditor() *audit.Auditor {
	version := w.Version
	if version == "" {
		version = "dev"
	}
	return &audit.Auditor{Store: w.Store, Actor: w.Settings.Actor, Version: version, Host: audit.Hostname(),
		Now: w.Now, Timeout: w.Settings.Timeout}
}

// DLQProducer is a pinged client for retries and notifications. It bounds
// delivery, so a broker that disappears mid-batch fails items instead of
// hanging, before the claims of the messages sent expire (DeliveryTimeout).
// Unlike the replay producer it can bound delivery: franz-go measures the
// bound from Record.Timestamp, which a redriven record leaves to the
// producer (now).
func (w *Wiring) DLQProducer(ctx context.Context, clientID string) (*kgo.Client, error) {
	return w.producer(ctx, clientID,
		kgo.RecordDeliveryTimeout(DeliveryTimeout(w.Settings.Timeout, dlq.DefaultClaimTTL)))
}

// DLQConsumers lets the dlq package build its group consumer; it owns (and
// closes) what it builds, because it must commit offsets before closing.
func (w *Wiring) DLQConsumers(clientID string) func(...kgo.Opt) (*kgo.Client, error) {
	return func(extra ...kgo.Opt) (*kgo.Client, error) {
		opts, err := KafkaOptions(w.Settings)
		if err != nil {
			return nil, err
		}
		opts.ClientID = clientID
		return kafka.NewClient(opts, extra...)
	}
}

// Verifier checks finished replay sessions against their targets; it
// builds (and closes) its own consuming clients.
func (w *Wiring) Verifier() *verify.Service {
	return &verify.Service{Store: w.Store, TopicPrefix: w.Settings.TopicPrefix, Consumer: w.DLQConsumers("replayctl-verify"),
		Actor: w.Settings.Actor, Now: w.Now}
}

// DeliveryTimeout is how long one DLQ record may wait for an
// acknowledgement before its message counts as failed: a few server
// timeouts, but never more than half the claim lease of the messages sent
// (dlq.MaxDeliveryTimeout), so a stuck send fails while its claim holds and
// no other process sends the message again.
func DeliveryTimeout(serverTimeout, claimTTL time.Duration) time.Duration {
	if serverTimeout <= 0 {
		serverTimeout = 10 * time.Second
	}
	return min(3*serverTimeout, dlq.MaxDeliveryTimeout(claimTTL))
}

// producer builds a client, registers it for closing and pings it, so an
// unreachable cluster fails before anything is claimed or changed.
func (w *Wiring) producer(ctx context.Context, clientID string, extra ...kgo.Opt) (*kgo.Client, error) {
	opts, err := KafkaOptions(w.Settings)
	if err != nil {
		return nil, err
	}
	opts.ClientID = clientID
	cl, err := kafka.NewClient(opts, extra...)
	if err != nil {
		return nil, err
	}
	if w.OnClose != nil {
		w.OnClose(cl.Close)
	}
	pingCtx, cancel := context.WithTimeout(ctx, max(w.Settings.Timeout, minPing))
	defer cancel()
	if err := kafka.Ping(pingCtx, cl, w.Settings.KafkaBrokers); err != nil {
		return nil, err
	}
	return cl, nil
}

func (w *Wiring) owner() string {
	if w.Owner == "" {
		w.Owner = Owner()
	}
	return w.Owner
}

func (w *Wiring) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}
