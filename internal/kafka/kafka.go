// Package kafka is replayctl's one place that turns connection settings into
// franz-go clients, and that classifies Kafka errors for operators.
package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"

	"github.com/integr8scode/replayctl/internal/fault"
)

// ErrNoBrokers is a client asked for without a broker to dial.
var ErrNoBrokers = fault.New(fault.Invalid, errors.New("no Kafka brokers configured"))

// Options configure a client.
type Options struct {
	Brokers  []string
	TLS      *tls.Config
	SASL     sasl.Mechanism
	Timeout  time.Duration
	ClientID string
	// AutoCreateTopics asks the cluster to create a topic on its first
	// use. Only the dev stack and tests want it: on a production cluster a
	// missing topic is a mistake to report, not to paper over.
	AutoCreateTopics bool
}

// NewClient builds a client; it does not connect until first use.
func NewClient(o Options, extra ...kgo.Opt) (*kgo.Client, error) {
	if len(o.Brokers) == 0 {
		return nil, ErrNoBrokers
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	clientID := o.ClientID
	if clientID == "" {
		clientID = "replayctl"
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(o.Brokers...),
		kgo.ClientID(clientID),
		kgo.DialTimeout(o.Timeout),
		kgo.RequestTimeoutOverhead(o.Timeout),
		kgo.RetryTimeoutFn(retryTimeout(o.Timeout)),
		// Bound metadata waits so an unreachable cluster fails within the timeout.
		kgo.MetadataMinAge(250 * time.Millisecond),
	}
	if o.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(o.TLS))
	}
	if o.SASL != nil {
		opts = append(opts, kgo.SASL(o.SASL))
	}
	if o.AutoCreateTopics {
		opts = append(opts, kgo.AllowAutoTopicCreation())
	}
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		return nil, fault.Invalidf("invalid Kafka settings: %v", err)
	}
	return cl, nil
}

// franz-go's own retry budgets (kgo.RetryTimeout's documentation): a
// member's join, sync and heartbeat retry for its session timeout (45 s by
// default), every other request for 30 s.
const (
	membershipRetry = 45 * time.Second
	groupRetry      = 30 * time.Second
)

// retryTimeout keeps the CLI's short budget for one-shot requests (metadata,
// pings, admin calls), so an unreachable cluster fails within the timeout,
// but gives group requests franz-go's budgets: a member whose join or commit
// gave up after a 10 s --timeout during a broker roll or a coordinator move
// would leave the group (and restart) where a longer retry rides it out.
// Each request is still bounded by its caller's context.
func retryTimeout(short time.Duration) func(key int16) time.Duration {
	return func(key int16) time.Duration {
		switch kmsg.Key(key) {
		case kmsg.JoinGroup, kmsg.SyncGroup, kmsg.Heartbeat, kmsg.ConsumerGroupHeartbeat:
			return max(short, membershipRetry)
		case kmsg.OffsetCommit, kmsg.OffsetFetch, kmsg.FindCoordinator, kmsg.LeaveGroup:
			return max(short, groupRetry)
		}
		return short
	}
}

// Ping checks that at least one broker answers a metadata request.
func Ping(ctx context.Context, cl *kgo.Client, brokers []string) error {
	if err := cl.Ping(ctx); err != nil {
		return Unavailable(brokers, err)
	}
	return nil
}

// Unavailable is a connection failure naming the brokers.
func Unavailable(brokers []string, err error) error {
	return &fault.UnavailableError{Server: fault.Kafka, Addr: strings.Join(brokers, ","), Err: errors.New(cleanError(err))}
}

func cleanError(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer before the timeout"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}

// ClusterInfo summarises a cluster for `status`.
type ClusterInfo struct {
	Brokers []string
	Topics  []string
}

// Describe lists the brokers and the non-internal topics.
func Describe(ctx context.Context, cl *kgo.Client, seeds []string) (ClusterInfo, error) {
	adm := kadm.NewClient(cl)
	meta, err := adm.Metadata(ctx)
	if err != nil {
		return ClusterInfo{}, Unavailable(seeds, err)
	}
	var info ClusterInfo
	for _, b := range meta.Brokers {
		info.Brokers = append(info.Brokers, fmt.Sprintf("%s:%d", b.Host, b.Port))
	}
	for _, t := range meta.Topics {
		if !t.IsInternal && !strings.HasPrefix(t.Topic, "__") {
			info.Topics = append(info.Topics, t.Topic)
		}
	}
	sort.Strings(info.Brokers)
	sort.Strings(info.Topics)
	return info, nil
}

// TopicsExist reports, for each topic, whether the cluster has it.
func TopicsExist(ctx context.Context, cl *kgo.Client, seeds []string, topics []string) (map[string]bool, error) {
	adm := kadm.NewClient(cl)
	meta, err := adm.Metadata(ctx)
	if err != nil {
		return nil, Unavailable(seeds, err)
	}
	out := make(map[string]bool, len(topics))
	for _, t := range topics {
		td, ok := meta.Topics[t]
		out[t] = ok && td.Err == nil
	}
	return out, nil
}
