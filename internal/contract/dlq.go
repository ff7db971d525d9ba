package contract

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// DLQStatus is a DLQ message's state, stored as its lowercase string.
type DLQStatus string

const (
	DLQPending   DLQStatus = "pending"
	DLQScheduled DLQStatus = "scheduled"
	DLQRetried   DLQStatus = "retried"
	DLQDiscarded DLQStatus = "discarded"
)

// DLQStatuses lists every DLQ status.
var DLQStatuses = []DLQStatus{DLQPending, DLQScheduled, DLQRetried, DLQDiscarded}

// Terminal reports whether manual retry and discard must be refused.
func (s DLQStatus) Terminal() bool { return s == DLQRetried || s == DLQDiscarded }

// Valid reports whether s is one of the contract's statuses.
func (s DLQStatus) Valid() bool {
	for _, v := range DLQStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// DefaultDLQTopic is the DLQ topic name before the optional prefix.
const DefaultDLQTopic = "dead_letter_queue"

// DLQMessage is a `dlq_messages` document. Event is kept raw so payload
// fields and unknown event types pass through untouched.
type DLQMessage struct {
	ID            bson.ObjectID     `bson:"_id,omitempty" json:"-"`
	Event         bson.Raw          `bson:"event" json:"-"`
	OriginalTopic string            `bson:"original_topic" json:"original_topic"`
	Error         string            `bson:"error" json:"error"`
	RetryCount    int64             `bson:"retry_count" json:"retry_count"`
	FailedAt      time.Time         `bson:"failed_at" json:"failed_at"`
	Status        DLQStatus         `bson:"status" json:"status"`
	ProducerID    string            `bson:"producer_id" json:"producer_id"`
	CreatedAt     time.Time         `bson:"created_at" json:"created_at"`
	LastUpdated   *time.Time        `bson:"last_updated" json:"last_updated"`
	NextRetryAt   *time.Time        `bson:"next_retry_at" json:"next_retry_at"`
	RetriedAt     *time.Time        `bson:"retried_at" json:"retried_at"`
	DiscardedAt   *time.Time        `bson:"discarded_at" json:"discarded_at"`
	DiscardReason *string           `bson:"discard_reason" json:"discard_reason"`
	LastError     *string           `bson:"last_error" json:"last_error"`
	DLQOffset     *int64            `bson:"dlq_offset" json:"dlq_offset"`
	DLQPartition  *int64            `bson:"dlq_partition" json:"dlq_partition"`
	Headers       map[string]string `bson:"headers" json:"headers"`
	Extra         map[string]any    `bson:",inline" json:"-"`
}

// EventID returns event.event_id, or "" when the event lacks one.
func (m *DLQMessage) EventID() string { return rawString(m.Event, "event_id") }

// EventType returns event.event_type, or "".
func (m *DLQMessage) EventType() string { return rawString(m.Event, "event_type") }

func rawString(doc bson.Raw, key string) string {
	if doc == nil {
		return ""
	}
	v, err := doc.LookupErr(key)
	if err != nil {
		return ""
	}
	s, _ := v.StringValueOK()
	return s
}
