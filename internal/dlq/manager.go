package dlq

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/store"
)

// Manager does every DLQ operation. The zero values of the optional fields
// are usable; Store is always required, Kafka for anything that publishes.
type Manager struct {
	Store *store.Store
	// Kafka publishes retried events and notifications; nil is fine for
	// read-only use (list, show, topics, errors, policies).
	Kafka *kgo.Client
	// TopicPrefix prefixes notification topics (contract: topic = prefix + name).
	TopicPrefix string
	// DLQTopic is the full DLQ topic name, prefix included.
	DLQTopic string
	// Environment is the platform environment; "test" keeps `test-` event ids
	// on receipt and is stamped into notification metadata. "" = production.
	Environment string
	// Owner identifies this process in claims (for example host:pid).
	Owner string
	Now   func() time.Time
	// Logger gets one line per notable message event, always with event_id;
	// nil discards.
	Logger *slog.Logger
	// Metrics are optional hooks (nil = none).
	Metrics Metrics
	// NewConsumer builds the group consumer Process reads the DLQ topic with,
	// from the same connection settings as Kafka plus the given options (the
	// group, topic and commit options). Process requires it; Kafka is a
	// shared producer and cannot join a group.
	NewConsumer func(opts ...kgo.Opt) (*kgo.Client, error)
	// ClaimTTL is how long a claim is a valid lease; 0 = DefaultClaimTTL.
	ClaimTTL time.Duration
	// DeliveryTimeout is Kafka's record delivery timeout (0 = unbounded or
	// unknown). Messages are sent only while their claims have that much
	// lease left (see sendMargin), so a stuck send fails before another
	// process can take the claim and send again; it may be at most
	// MaxDeliveryTimeout(ClaimTTL).
	DeliveryTimeout time.Duration

	indexMu sync.Mutex
	indexed bool
	sendLog sendFailureLog
	// dueBatch and cleanupBatch override defaultDueBatch and
	// defaultCleanupBatch (tests).
	dueBatch     int
	cleanupBatch int
}

// Metrics receives counters from the processor; the worker implements it.
type Metrics interface {
	Received(topic string)
	Retried(topic string)
	Discarded(topic string)
	Quarantined(topic string)
	RetryLatency(topic string, d time.Duration)
	// SendFailed counts one message whose send failed; permanent when
	// repeating it cannot help (see permanentSendErrors).
	SendFailed(permanent bool)
}

// DefaultClaimTTL is a claim's lease when Manager.ClaimTTL is 0.
const DefaultClaimTTL = 5 * time.Minute

// MaxDeliveryTimeout is the longest record delivery timeout a producer may
// have for claims of ttl (0 = DefaultClaimTTL): half the lease. Sends
// start only with the delivery timeout plus sendSlack of lease left, and a
// fresh claim must pass that check with room for the claim, re-read and
// pacing of a chunk (a chunk is sized to about a third of the lease).
func MaxDeliveryTimeout(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		ttl = DefaultClaimTTL
	}
	return ttl / 2
}

// sendSlack is lease kept beyond the delivery timeout for the status
// update that follows the sends.
const sendSlack = 5 * time.Second

// sendMargin is how much lease a claim must have left for its message to
// be sent.
func (m *Manager) sendMargin() time.Duration { return max(m.DeliveryTimeout, 0) + sendSlack }

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

// nowMs is now truncated to what BSON dates keep, so values written and read
// back compare equal.
func (m *Manager) nowMs() time.Time { return m.now().Truncate(time.Millisecond) }

func (m *Manager) log() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (m *Manager) owner() string {
	if m.Owner != "" {
		return m.Owner
	}
	return "replayctl"
}

func (m *Manager) environment() string {
	if m.Environment != "" {
		return m.Environment
	}
	return "production"
}

func (m *Manager) claimTTL() time.Duration {
	if m.ClaimTTL > 0 {
		return m.ClaimTTL
	}
	return DefaultClaimTTL
}

func (m *Manager) requireKafka(what string) error {
	if m.Kafka == nil {
		return fmt.Errorf("%s needs a Kafka client", what)
	}
	if limit := MaxDeliveryTimeout(m.claimTTL()); m.DeliveryTimeout > limit {
		return fmt.Errorf("%s: the Kafka delivery timeout %v is longer than half the %v claim lease (at most %v), so a stuck send could outlive its claim and be sent again by another process",
			what, m.DeliveryTimeout, m.claimTTL(), limit)
	}
	return nil
}

// metrics hooks, nil-safe.
func (m *Manager) mReceived(topic string) {
	if m.Metrics != nil {
		m.Metrics.Received(topic)
	}
}

func (m *Manager) mRetried(topic string, latency time.Duration) {
	if m.Metrics != nil {
		m.Metrics.Retried(topic)
		m.Metrics.RetryLatency(topic, latency)
	}
}

func (m *Manager) mDiscarded(topic string) {
	if m.Metrics != nil {
		m.Metrics.Discarded(topic)
	}
}

func (m *Manager) mQuarantined(topic string) {
	if m.Metrics != nil {
		m.Metrics.Quarantined(topic)
	}
}

func (m *Manager) mSendFailed(permanent bool) {
	if m.Metrics != nil {
		m.Metrics.SendFailed(permanent)
	}
}
