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
// fails so the message can be retried. A claim document that cannot be read
// was not written by replayctl and holds no lease: when its _id names a key
// and epoch it counts as expired at that epoch, so the round is taken once,
// at the next epoch, and never stalls.
//
// # Documents that cannot be read
//
// Every read decodes document by document (store.DecodeEach) and reports
// what it skips (SkipReporter; lists and plans in their Skipped). A stored
// message that cannot be read is never overwritten: a DLQ record failing it
// again is quarantined in dlq_invalid, its reason naming the document's _id,
// instead of stalling the batch (see unreadableStored).
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
// passed, all such sends of a round in one batch. A redone send that fails
// permanently (see "Failed sends") is rolled back as a failed due retry is
// recorded and its journal entry deleted; a transient failure keeps the
// entry for the next round. Offsets are committed only after the batch is
// persisted.
//
// # Group membership and crashes
//
// Process reads the DLQ topic in a consumer group. A --once pass is the
// static member OnceInstanceID (KIP-345): a member killed without leaving
// stays in the group until its session times out, and a dynamic newcomer
// would wait for that (measured on kfake: the next pass failed after 60 s),
// while a static newcomer with the same instance id replaces it at once and
// takes its partitions. Its session timeout is 10 s, which bounds how long a
// killed pass that is not restarted keeps partitions from the other members;
// a clean exit leaves the group by instance id. The longest wait left is for
// a dead dynamic member (a killed `dlq process` or worker): its session
// timeout (kgo default 45 s), at most the rebalance timeout (60 s); the join
// timeout is 90 s. Records persisted but not committed by a killed process
// are read again, found stored (unique event.event_id) and counted as
// duplicates.
//
// Notifications are not journalled: a process killed after a batch is
// stored and before its notifications are acknowledged loses them (the
// records are then duplicates and notify nothing). Only immediate retries
// are journalled (dlq_pending_sends), because a lost send is a lost event.
//
// # New failures of stored messages
//
// An event that was retried and fails again comes back on the DLQ topic as
// a new record for the same event.event_id, with a later failed_at. The
// platform upserts it, so the stored message takes the new failure and goes
// through the policy again. Here a duplicate-key item of the insert is read
// back (one find for all of a batch's duplicates, plain-field projection):
// if its failed_at is strictly later than the stored one (at millisecond
// precision) it is a new failure, otherwise a re-delivery that changes
// nothing and counts as a duplicate. Within one fetch only the latest
// failure of an event is kept. A new failure is written by one UpdateOne
// per message that sets every field a fresh insert writes (not _id), in the
// state the policy resolves, with last_error = the stored error, and
// removes replayctl.send_failures; it is then counted as received, notified
// and, for the immediate strategy, sent exactly as a new message is.
//
// created_at is the record's created_at when it has one, otherwise the
// time of receipt, on a new message and on every new failure of a stored
// one: the platform replaces the whole document on each receipt, and its
// TTL index deletes a message 7 days after created_at. Keeping the first
// created_at would let the TTL delete a message that failed again with
// retries still scheduled.
//
// Its writer first claims the message in dlq_claims: "<event_id>:<round>"
// (the stored retry_count) while the stored message is pending or
// scheduled, which excludes a retry or discard of that round; once it is
// retried or discarded only another ingester could write it, and the claim
// that ended it may still be live, so the key is
// "<event_id>:<round>/refail@<stored failed_at, Unix ms>". The update's
// filter repeats the state read, so a message that changed between the read
// and the claim is read again; the claim is released once the batch's
// writes are done (an immediate retry's rollback included). A claim held by someone else is tried again
// with back-off for up to one claim lease (by then a crashed holder's claim
// can be taken over; a live one has usually finished, and its change is
// seen on the next read); after that the rest of the batch is completed and
// Process fails with an error naming the messages, leaving the batch's
// offsets uncommitted so its records are read again on the next start. A
// record without failed_at takes its Kafka timestamp, so a copy of it
// produced again later counts as a new failure.
//
// # Failed sends
//
// A send that fails leaves the message's status and retry_count alone:
// retry_count is the platform's count of successful retries (its
// dlq_message_retried carries it) and max_retries applies to it, so a
// failed send does not count toward max_retries. Instead the message gets
// last_error ("send to topic T: CODE: ...", naming the topic and the
// broker's error), last_updated, and replayctl's own counter
// replayctl.send_failures (an int, a field under replayctl's own name, as
// the contract allows; a new failure of the message removes it). An
// automatic (due) retry that fails also moves next_retry_at forward: to the
// policy's next retry time for the message's retry_count, but at least
// 30 s x 2^(send_failures-1), at most 30 minutes, so an immediate policy
// or a zero delay cannot make it due on every poll. RetryDue goes on past
// failed messages (they are no longer due), so however many unsendable
// messages sort first, the others are sent in the same pass. A manual
// retry that fails records the same fields but keeps next_retry_at; its
// item fails with the same text (exit 6 when others succeeded).
//
// Nothing is discarded for failing to send: the contract has no discard
// reason for it, the platform itself just stops and leaves the message,
// and a topic may be created or an ACL granted later. An unsendable
// message stays scheduled and backs off until an operator fixes the cause
// or discards it, or until the platform's TTL deletes it 7 days after its
// created_at (on MongoDB; the embedded server has no TTL). The same holds
// for any retry scheduled beyond created_at + 7 days by a long policy
// delay: the TTL deletes it first, as on the platform; replayctl does not
// cap policy delays.
//
// These broker errors are permanent (only an operator can change the
// outcome): UNKNOWN_TOPIC_OR_PARTITION (topic missing, auto-creation off),
// TOPIC_AUTHORIZATION_FAILED, MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE and
// INVALID_TOPIC_EXCEPTION. A permanent failure is logged at Warn once per
// message and topic per process (remembering at most 10,000 pairs), later
// ones at Debug; other failures at Warn at most once a minute per topic,
// the rest at Debug.
//
// # Delivery timeout and claims
//
// A claim's lease (ClaimTTL, DefaultClaimTTL 5 minutes) must outlast the
// send it covers, or another process could take the expired claim and send
// the message again. The producer's record delivery timeout is therefore at
// most MaxDeliveryTimeout (half the lease; package wiring derives it), and
// a message is sent only while its claim has the delivery timeout plus 5 s
// left. Expired claims are kept for an hour for operators, then deleted by
// the DLQ processor, all of them in batches of 5,000 by expires_at
// (indexed).
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
//	replayctl-dlq-edited          "true" when an operator edited the event
//	                              (dlq edit); absent otherwise
//
// Stored headers with these names are replaced, never duplicated. The
// edited header is looked up in one query per chunk of retried messages;
// the DLQ processor's immediate retries on receipt and its redo of a
// journalled send never carry it (a message taking a new failure carries
// the event that failed, not an edit).
//
// # Editing
//
// Edit (`dlq edit`) replaces a pending or scheduled message's event. The
// save claims the message's round like a retry, re-reads it, and stores
// only if its status and event are still those read (Conflict otherwise),
// with the update guarded on the same conditions for the platform's own
// DLQ manager. replayctl_dlq_edits keeps the event before its first edit
// (_id "<event id>/original", a unique insert, so it is never overwritten)
// and one record per edit (who, when, reason, changed paths) under an _id
// of its own; dlq_messages gains no field. The records are written before
// the message, so a crash between the two leaves a record of an edit that
// did not happen, never an edit without a record.
package dlq

import "github.com/integr8scode/replayctl/internal/store"

// Record header names added to every retried event (see the package doc).
const (
	HeaderRetryCount    = "replayctl-dlq-retry-count"
	HeaderEventID       = "replayctl-dlq-event-id"
	HeaderOriginalTopic = "replayctl-dlq-original-topic"
	HeaderRedrivenAt    = "replayctl-redriven-at"
	HeaderEdited        = "replayctl-dlq-edited"
)

// Collection names replayctl adds beside the contract's collections (their
// repositories are in package store).
const (
	InvalidCollection      = store.DLQInvalidCollection
	ClaimsCollection       = store.DLQClaimsCollection
	PoliciesCollection     = store.DLQPoliciesCollection
	PendingSendsCollection = store.DLQPendingSendsCollection
	EditsCollection        = store.DLQEditsCollection
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
