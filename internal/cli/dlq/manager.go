package dlqcmd

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/output"
)

// managerNeeds says which clients a command needs beyond MongoDB.
type managerNeeds struct {
	Kafka    bool // produce (retry, discard, process)
	Consumer bool // join a consumer group on the DLQ topic (process)
	Debug    bool // log to stderr
}

// printerAndManager is the preamble of every verb. The printer comes first,
// so a bad -o exits 2 before anything is dialled; --debug comes from o.
func (o *cmdOptions) printerAndManager(needs managerNeeds) (*output.Printer, *dlq.Manager, error) {
	p, err := o.Factory.Printer()
	if err != nil {
		return nil, nil, err
	}
	needs.Debug = o.Debug
	m, err := newManager(o.Ctx, o.Factory, needs)
	if err != nil {
		return nil, nil, err
	}
	return p, m, nil
}

// newManager is the one place a dlq.Manager is assembled from the factory,
// so every verb talks to the same servers with the same identity.
func newManager(ctx context.Context, f *cmdutil.Factory, needs managerNeeds) (*dlq.Manager, error) {
	s, st, err := f.SettingsAndStore(ctx)
	if err != nil {
		return nil, err
	}
	m := &dlq.Manager{
		Store:       st,
		TopicPrefix: s.TopicPrefix,
		DLQTopic:    s.DLQTopicName(),
		Environment: s.Environment,
		Owner:       owner(),
		Now:         f.Now,
		Logger:      logger(f, needs.Debug),
	}
	if needs.Kafka {
		if m.Kafka, err = newProducer(ctx, f, s); err != nil {
			return nil, err
		}
	}
	if needs.Consumer {
		m.NewConsumer = consumerFactory(s)
	}
	return m, nil
}

// newProducer asks for topic auto-creation (the notification topics may
// not exist yet on a dev stack) and bounds delivery, neither of which suits
// the shared read-only client. The ping (at least a second, however short
// --timeout is) makes an unreachable cluster exit 5 before any message is
// claimed, not a batch of failed items.
func newProducer(ctx context.Context, f *cmdutil.Factory, s *config.Settings) (*kgo.Client, error) {
	return f.NewProducer(ctx, cmdutil.ProducerOptions{
		ClientID: "replayctl-dlq",
		MinPing:  time.Second,
		Extra:    []kgo.Opt{kgo.AllowAutoTopicCreation(), kgo.RecordDeliveryTimeout(deliveryTimeout(s.Timeout))},
	})
}

// deliveryTimeout is how long one record may wait for an acknowledgement
// before its message counts as failed: a few server timeouts, so a broker
// that disappears mid-batch fails items instead of hanging the command.
func deliveryTimeout(serverTimeout time.Duration) time.Duration {
	if serverTimeout <= 0 {
		serverTimeout = 10 * time.Second
	}
	return 3 * serverTimeout
}

// consumerFactory lets the domain build its group consumer from the same
// connection settings; the domain owns (and closes) what it builds, because
// it must commit offsets before the client goes away.
func consumerFactory(s *config.Settings) func(...kgo.Opt) (*kgo.Client, error) {
	return func(extra ...kgo.Opt) (*kgo.Client, error) {
		opts, err := cmdutil.KafkaOptions(s)
		if err != nil {
			return nil, err
		}
		opts.ClientID = "replayctl-dlq-processor"
		return kafka.NewClient(opts, extra...)
	}
}

// owner identifies this process in claims, so an operator can tell which
// host and process holds a message.
func owner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

func logger(f *cmdutil.Factory, debug bool) *slog.Logger {
	if !debug {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
