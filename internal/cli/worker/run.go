package workercmd

import (
	"context"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/logging"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/worker"
)

func workerRun(opts *WorkerOptions) error {
	f, s, cfg := opts.Factory, opts.Settings, opts.Config
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	log, err := logging.New(f.IO.ErrOut, f.IO.IsStderrTTY(), cfg.LogLevel)
	if err != nil {
		return err
	}
	// Both servers must answer at start: a wrong address should fail now
	// (exit 5), not look like an outage the worker waits out forever.
	st, err := f.Store(ctx)
	if err != nil {
		return err
	}
	admin, err := f.Kafka(ctx)
	if err != nil {
		return err
	}
	if err := pingKafka(ctx, admin, s.KafkaBrokers, s.Timeout); err != nil {
		return err
	}

	metrics := worker.NewMetrics()
	metrics.Registry().MustRegister(worker.NewStatsCollector(st.Sessions.CountByStatus, st.DLQ.CountByStatus, log))
	ready := worker.NewReadiness(
		worker.Check{Name: "mongodb", Ping: st.Ping},
		worker.Check{Name: "kafka", Ping: func(ctx context.Context) error { return kafka.Ping(ctx, admin, s.KafkaBrokers) }},
	)
	w := &worker.Worker{
		Ready: ready, Metrics: metrics, Logger: log,
		Options: worker.Options{
			Concurrency: cfg.Concurrency, PollInterval: cfg.PollInterval,
			ShutdownTimeout: cfg.ShutdownTimeout, Group: cfg.Group,
		},
	}
	if cfg.HTTPAddr != "" {
		w.Server = worker.NewServer(cfg.HTTPAddr, ready, metrics.Registry(), log)
	}
	d := deps{opts: opts, st: st, owner: replay.NewOwner(), log: log, metrics: metrics}
	if opts.Replay {
		if w.Replay, err = d.replayService(); err != nil {
			return err
		}
	}
	if opts.DLQ {
		if w.DLQ, err = d.dlqManager(); err != nil {
			return err
		}
	}
	log.Info("replayctl worker", append([]any{"owner", d.owner}, opts.describe()...)...)
	return w.Run(ctx)
}

func pingKafka(ctx context.Context, cl *kgo.Client, brokers []string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return kafka.Ping(ctx, cl, brokers)
}

// deps assembles the domain objects the worker drives, all with one
// process identity, logger and metrics.
type deps struct {
	opts    *WorkerOptions
	st      *store.Store
	owner   string
	log     *slog.Logger
	metrics *worker.Metrics
}

// replayService builds the engine with a producer of its own: the engine's
// producer settings (acks=all, bounded buffers) are not the shared client's.
func (d deps) replayService() (*replay.Service, error) {
	f, s := d.opts.Factory, d.opts.Settings
	cl, err := d.client("replayctl-worker-replay", replay.ProducerOpts()...)
	if err != nil {
		return nil, err
	}
	return &replay.Service{
		Store: d.st, Kafka: cl, TopicPrefix: s.TopicPrefix, Owner: d.owner,
		LeaseTTL: d.opts.Config.LeaseTTL, Now: f.Now, Logger: d.log, Metrics: d.metrics.Replay(),
	}, nil
}

// dlqManager builds the processor: a producer for retries and
// notifications (separate from the replay producer, so a replay filling its
// buffers never delays a retry), and a factory for the group consumer,
// which the dlq package owns because it must commit before closing it.
func (d deps) dlqManager() (*dlq.Manager, error) {
	f, s := d.opts.Factory, d.opts.Settings
	cl, err := d.client("replayctl-worker-dlq", kgo.AllowAutoTopicCreation())
	if err != nil {
		return nil, err
	}
	kopts, err := cmdutil.KafkaOptions(s)
	if err != nil {
		return nil, err
	}
	kopts.ClientID = "replayctl-worker-dlq-consumer"
	return &dlq.Manager{
		Store: d.st, Kafka: cl, TopicPrefix: s.TopicPrefix, DLQTopic: d.opts.Config.DLQTopicName(s), Environment: s.Environment,
		Owner: d.owner, Now: f.Now, Logger: d.log, Metrics: d.metrics.DLQ(),
		NewConsumer: func(extra ...kgo.Opt) (*kgo.Client, error) { return kafka.NewClient(kopts, extra...) },
	}, nil
}

// client builds a Kafka client from the settings, closed with the factory.
func (d deps) client(id string, extra ...kgo.Opt) (*kgo.Client, error) {
	kopts, err := cmdutil.KafkaOptions(d.opts.Settings)
	if err != nil {
		return nil, err
	}
	kopts.ClientID = id
	cl, err := kafka.NewClient(kopts, extra...)
	if err != nil {
		return nil, err
	}
	d.opts.Factory.OnClose(cl.Close)
	return cl, nil
}
