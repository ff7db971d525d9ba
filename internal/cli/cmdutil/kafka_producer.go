package cmdutil

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/kafka"
)

// ProducerOptions tune a producing client beyond what the settings say.
type ProducerOptions struct {
	// ClientID names the client to the brokers; "" keeps kafka's default.
	ClientID string
	// MinPing is a floor under the settings' timeout for the reachability
	// check, for commands that must not fail on a very short --timeout.
	MinPing time.Duration
	// Extra are the producer's own settings (acks, batching, delivery bounds).
	Extra []kgo.Opt
}

// NewProducer builds a producing client of the command's own rather than
// sharing f.Kafka, whose read-only settings do not suit producing. The
// client is closed by Close. It pings before returning, so an unreachable
// cluster fails the command (exit 5) before it changes anything.
func (f *Factory) NewProducer(ctx context.Context, po ProducerOptions) (*kgo.Client, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	opts, err := KafkaOptions(s)
	if err != nil {
		return nil, err
	}
	opts.ClientID = po.ClientID
	cl, err := kafka.NewClient(opts, po.Extra...)
	if err != nil {
		return nil, err
	}
	f.OnClose(cl.Close)
	pingCtx, cancel := context.WithTimeout(ctx, max(s.Timeout, po.MinPing))
	defer cancel()
	if err := kafka.Ping(pingCtx, cl, s.KafkaBrokers); err != nil {
		return nil, err
	}
	return cl, nil
}
