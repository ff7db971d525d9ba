package contracttest

// The schemas below transcribe shared/CONTRACT.md (and the platform's event
// classes it describes). Dates are Date in both encodings: a BSON datetime
// in MongoDB, an RFC 3339 string in JSON.

// Environments are the platform's Environment enum values.
var Environments = []string{"development", "staging", "production", "test"}

// Metadata is an event's metadata: every field a required non-null string
// in the platform's models (EventMetadata).
var Metadata = []Field{
	F("metadata", Object),
	F("metadata.service_name", String),
	F("metadata.service_version", String),
	F("metadata.user_id", String),
	Enum("metadata.environment", Environments...),
}

// Event is the common part of every event (the events collection minus
// storage bookkeeping, and every event published to Kafka).
var Event = Schema{Name: "event", Fields: append([]Field{
	F("event_id", String),
	F("event_type", String),
	F("event_version", String),
	F("timestamp", Date),
	F("aggregate_id", String, Null),
}, Metadata...)}

// DLQStatuses are the contract's DLQ message statuses.
var DLQStatuses = []string{"pending", "scheduled", "retried", "discarded"}

// DLQMessage is a dlq_messages document.
var DLQMessage = Schema{Name: "dlq_messages document", Fields: []Field{
	F("event", Object),
	F("event.event_id", String),
	F("event.event_type", String),
	F("original_topic", String),
	F("error", String),
	F("retry_count", Int),
	F("failed_at", Date),
	Enum("status", DLQStatuses...),
	F("producer_id", String),
	F("created_at", Date),
	F("last_updated", Date, Null),
	F("next_retry_at", Date, Null),
	F("retried_at", Date, Null),
	F("discarded_at", Date, Null),
	F("discard_reason", String, Null),
	F("last_error", String, Null),
	F("dlq_offset", Int, Null),
	F("dlq_partition", Int, Null),
	F("headers", StringMap),
}}

// DLQ notification events (contract "DLQ notification events"): the common
// event fields with service_name dlq-manager and service_version 1.0.0, plus
// each type's own fields.
var (
	dlqNotification = Event.With("dlq notification",
		F("event_id", UUID),
		Enum("metadata.service_name", "dlq-manager"),
		Enum("metadata.service_version", "1.0.0"),
		F("dlq_event_id", String),
		F("original_topic", String),
		F("original_event_type", String),
	)
	DLQMessageReceived = dlqNotification.With("dlq_message_received",
		Enum("event_type", "dlq_message_received"),
		F("error", String),
		F("retry_count", Int),
		F("producer_id", String),
		F("failed_at", Date),
	)
	DLQMessageRetried = dlqNotification.With("dlq_message_retried",
		Enum("event_type", "dlq_message_retried"),
		F("retry_count", Int),
		F("retry_topic", String),
	)
	DLQMessageDiscarded = dlqNotification.With("dlq_message_discarded",
		Enum("event_type", "dlq_message_discarded"),
		F("reason", String),
		F("retry_count", Int),
	)
)

// SessionStatuses are the contract's replay session statuses.
var SessionStatuses = []string{"preview", "scheduled", "created", "running", "paused", "completed", "failed", "cancelled"}

// ReplaySession is a replay_sessions document.
var ReplaySession = Schema{Name: "replay_sessions document", Fields: []Field{
	F("session_id", UUID),
	F("replay_id", UUID),
	Enum("status", SessionStatuses...),
	F("config", Object),
	Enum("config.replay_type", "execution", "time_range", "event_type", "query", "recovery"),
	Enum("config.target", "kafka", "file", "callback", "test"),
	F("config.filter", Object),
	F("config.filter.event_ids", StringArray, Null),
	F("config.filter.execution_id", String, Null),
	F("config.filter.aggregate_id", String, Null),
	F("config.filter.event_types", StringArray, Null),
	F("config.filter.exclude_event_types", StringArray, Null),
	F("config.filter.start_time", Date, Null),
	F("config.filter.end_time", Date, Null),
	F("config.filter.user_id", String, Null),
	F("config.filter.service_name", String, Null),
	F("config.speed_multiplier", Number),
	F("config.preserve_timestamps", Bool),
	F("config.batch_size", Int),
	F("config.max_events", Int, Null),
	F("config.target_topics", StringMap, Null),
	F("config.target_file_path", String, Null),
	F("config.skip_errors", Bool),
	F("config.retry_failed", Bool),
	F("config.retry_attempts", Int),
	F("config.enable_progress_tracking", Bool),
	F("total_events", Int),
	F("replayed_events", Int),
	F("failed_events", Int),
	F("skipped_events", Int),
	F("created_at", Date),
	F("started_at", Date, Null),
	F("completed_at", Date, Null),
	F("last_event_at", Date, Null),
	F("errors", Array),
	F("created_by", String, Null),
	F("target_service", String, Null),
	F("error", String, Null),
	F("dry_run", Bool),
	F("triggered_executions", StringArray),
}}

// SessionError is one element of a session's errors array.
var SessionError = Schema{Name: "replay session error", Fields: []Field{
	F("timestamp", Date),
	F("error", String),
	F("error_type", String, Null),
	F("event_id", String, Null),
}}

// ReplayedEvent is the JSON value of a record a replay produces: the event
// (common fields; payload passes through unchecked) without the storage
// bookkeeping.
var ReplayedEvent = Schema{Name: "replayed event", Fields: Event.Fields, Absent: []string{"_id", "stored_at", "ttl_expires_at"}}
