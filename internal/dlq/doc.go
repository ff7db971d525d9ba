// Package dlq is replayctl's dead-letter-queue domain: it lists, summarises,
// retries and discards the platform's `dlq_messages`, keeps retry policy
// overrides, and does the platform's DLQ processor work (consume the DLQ
// topic, persist, schedule, retry when due). See ../../../shared/CONTRACT.md.
//
// # Coordination
//
// The embedded MongoDB (FerretDB) applies updates non-atomically, so nothing
// here relies on a conditional update. Before a message is sent or discarded
// its holder inserts a claim into `dlq_claims` whose unique _id is
// "<event_id>:<retry_count>" (the retry round); a duplicate-key error means
// someone else holds that round. A claim is a lease: once it has expired a
// taker inserts the next epoch, "<event_id>:<retry_count>#<epoch>". After
// winning a claim the holder re-reads the message and skips it if it changed
// (so a stale plan cannot send twice), and it releases its claim when a send
// fails so the message can be retried.
//
// # Ingestion
//
// A DLQ topic record becomes a document by an unordered InsertMany against the
// unique index on event.event_id: that is an upsert whose fields are all
// $setOnInsert, and it costs no collection scan on FerretDB, where an upsert
// filter scans the whole collection per message. The retry policy is resolved
// before the insert, so a message is stored directly in the state the
// platform would leave it in (scheduled with next_retry_at, or discarded with
// max_retries_exceeded); the transient `pending` state is never written.
// An immediate retry is claimed and journalled in dlq_pending_sends before
// the insert and sent after it; a failed send is rolled back to scheduled, and
// a send cut short by a crash is redone by RetryDue once its lease has
// passed. Offsets are committed only after the batch is persisted.
//
// # Redrive headers
//
// A retried event is published with its stored `headers` restored plus these
// record headers, so consumers can tell a redriven event from a live one:
//
//	replayctl-dlq-retry-count     retry_count after this retry (decimal)
//	replayctl-dlq-event-id        event.event_id of the DLQ message
//	replayctl-dlq-original-topic  the message's original_topic
//	replayctl-redriven-at         when it was sent, RFC 3339 UTC
//
// Stored headers with these names are replaced, never duplicated.
package dlq

// Record header names added to every retried event (see the package doc).
const (
	HeaderRetryCount    = "replayctl-dlq-retry-count"
	HeaderEventID       = "replayctl-dlq-event-id"
	HeaderOriginalTopic = "replayctl-dlq-original-topic"
	HeaderRedrivenAt    = "replayctl-redriven-at"
)

// Collection names replayctl adds beside the contract's collections.
const (
	// InvalidCollection quarantines DLQ topic records that cannot be messages.
	InvalidCollection = "dlq_invalid"
	// ClaimsCollection holds the claims (leases) on retry rounds.
	ClaimsCollection = "dlq_claims"
	// PoliciesCollection holds per-topic retry policy overrides (_id = topic).
	PoliciesCollection = "dlq_retry_policies"
	// PendingSendsCollection journals immediate retries made on receipt
	// between storing the message as retried and the send's acknowledgement.
	PendingSendsCollection = "dlq_pending_sends"
)

// Notification event types (contract "DLQ notification events").
const (
	EventReceived  = "dlq_message_received"
	EventRetried   = "dlq_message_retried"
	EventDiscarded = "dlq_message_discarded"
)

// ReasonMaxRetries is the discard reason when the policy allows no retry.
const ReasonMaxRetries = "max_retries_exceeded"

// ManualReasonPrefix prefixes an operator's discard reason.
const ManualReasonPrefix = "manual: "
