package workercmd

import (
	"context"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/logging"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/wiring"
	"github.com/integr8scode/replayctl/internal/worker"
)

func workerRun(ctx context.Context, opts *WorkerOptions) error {
	f, s, cfg := opts.Factory, opts.Settings, opts.Config
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
	// The worker's own --dlq-topic wins over the context's, so the wiring
	// sees settings with the worker's resolution in them.
	ws := *s
	ws.DLQTopic = cfg.DLQTopic
	wire := &wiring.Wiring{Settings: &ws, Store: st, Owner: wiring.Owner(), Now: f.Now, Logger: log, OnClose: f.OnClose, Version: f.Version}
	if opts.Replay {
		if w.Replay, err = replayService(ctx, wire, cfg.LeaseTTL, metrics); err != nil {
			return err
		}
	}
	if opts.DLQ {
		if w.DLQ, err = dlqManager(ctx, wire, metrics); err != nil {
			return err
		}
	}
	if cfg.Jobs {
		if w.Jobs, err = jobService(ctx, wire, cfg.LeaseTTL, metrics, log); err != nil {
			return err
		}
	}
	log.Info("replayctl worker", append([]any{"owner", wire.Owner}, opts.describe()...)...)
	return w.Run(ctx)
}

func pingKafka(ctx context.Context, cl *kgo.Client, brokers []string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return kafka.Ping(ctx, cl, brokers)
}

// replayService gives the engine a producer of its own, so a replay
// filling its buffers never delays a DLQ retry.
func replayService(ctx context.Context, wire *wiring.Wiring, leaseTTL time.Duration, metrics *worker.Metrics) (*replay.Service, error) {
	cl, err := wire.ReplayProducer(ctx, "replayctl-worker-replay")
	if err != nil {
		return nil, err
	}
	svc := wire.ReplayService()
	svc.Kafka, svc.LeaseTTL, svc.Metrics = cl, leaseTTL, metrics.Replay()
	svc.CheckClock(ctx) // leases compare clocks across hosts: warn now, not at the first takeover
	return svc, nil
}

// dlqManager builds the processor with its producer for retries and
// notifications and a factory for the group consumer.
func dlqManager(ctx context.Context, wire *wiring.Wiring, metrics *worker.Metrics) (*dlq.Manager, error) {
	cl, err := wire.DLQProducer(ctx, "replayctl-worker-dlq")
	if err != nil {
		return nil, err
	}
	m := wire.DLQManager()
	m.Kafka, m.Metrics = cl, metrics.DLQ()
	m.NewConsumer = wire.DLQConsumers("replayctl-worker-dlq-consumer")
	return m, nil
}

// jobService runs redrive jobs with a producer of their own, so a job at
// full speed never delays the DLQ processor's retries.
func jobService(ctx context.Context, wire *wiring.Wiring, leaseTTL time.Duration, metrics *worker.Metrics, log *slog.Logger) (*dlqjob.Service, error) {
	cl, err := wire.DLQProducer(ctx, "replayctl-worker-jobs")
	if err != nil {
		return nil, err
	}
	m := wire.DLQManager()
	m.Kafka, m.Metrics = cl, metrics.DLQ()
	svc := wire.DLQJobs(m)
	svc.LeaseTTL, svc.Metrics = leaseTTL, metrics.Jobs()
	metrics.Registry().MustRegister(worker.NewJobsCollector(svc.CountByStatus, log))
	return svc, nil
}
