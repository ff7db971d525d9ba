// Package replay is replayctl's replay engine: it turns an operator's Spec
// into a contract session in `replay_sessions`, drives the session's
// lifecycle (start, pause, resume, cancel) safely from any number of
// processes, and runs it: it streams the matching events from the event
// store to Kafka or a JSON Lines file, paced, checkpointed and resumable.
//
// # Records
//
// A replayed Kafka record is exactly what the contract specifies: topic =
// target_topics[event_type] or the prefix plus the event type; key =
// aggregate_id, or event_id when there is none; value = the event's JSON
// (contract.AppendEventJSON), its `timestamp` replaced by the replay time
// unless preserve_timestamps is set (the record timestamp follows the same
// rule). Provenance travels in headers, so the value stays byte-compatible
// with live events:
//
//	replayctl-session-id          the session_id
//	replayctl-replay-id           the session's replay_id
//	replayctl-original-timestamp  the event's stored timestamp, RFC 3339 UTC, milliseconds
//	replayctl-replayed-at         when replayctl sent it, same format
//	replayctl-event-type          the event_type
//
// A consumer tells a replayed event from a live one by the presence of
// replayctl-session-id. Dry runs publish nothing, so there is no dry-run header.
//
// # Coordination
//
// The embedded server makes no update atomic (../shared/EMBEDDED.md), so all
// coordination is by unique-key inserts into two small collections of
// replayctl's own:
//
//   - replay_leases: a runner (or a control command) claims a session by
//     inserting {_id: session_id:epoch}. Only one insert of an epoch wins.
//     A taker may insert epoch+1 only once the latest claim is released or
//     expired. The holder renews its own claim every LeaseTTL/3, writes the
//     session only while its claim is the latest and unexpired by its own
//     clock (with a safety margin for clock skew), and stops writing when it
//     is not. So each session document has one writer at a time.
//   - replay_requests: `pause` and `cancel` from another process insert a
//     request; the holder polls twice a second, applies it at once (a final
//     checkpoint) and deletes it. With no live holder the command claims the session itself
//     and applies the change directly.
//
// # Checkpoints and duplicates
//
// Every ~2 s or 5,000 events, and at pause, cancel and finish, the holder
// writes the counters, the errors list, last_event_at and the position of
// the last event the target acknowledged, in (timestamp, _id) order, under
// `replayctl.checkpoint`. Out-of-order acknowledgements are folded into an
// in-order low-water mark first, so the position never passes an event that
// is still in flight. A resumed run issues one query from that position.
//
// Events sent after the last checkpoint may be sent again after a crash.
// To count them honestly each checkpoint also stores
// `replayctl.in_flight_limit`: the most events the runner will hand to
// Kafka beyond that checkpoint before it writes the next one (those in
// flight now plus a reservation the reader never exceeds: twice what was
// sent in the last checkpoint interval, four times when the reader used up
// the reservation, 256 to 20,000, so a slow replay reports a tight bound
// and a fast one soon stops waiting for it).
// A runner that takes over counts the first in_flight_limit events it sends
// as possible duplicates (`replayctl.possible_duplicates`). A clean stop
// stores only what was still unacknowledged. File targets store the file
// offset with each checkpoint (`replayctl.file_offset`) and truncate back to
// it on resume, so they get every event exactly once; stdout cannot.
//
// max_events counts every event read (replayed, failed or skipped), so
// total_events = min(matching events, max_events) and the progress adds up.
// total_events is counted on the first run beside the stream, not before it
// (from the collection's statistics when the filter selects everything: on
// the embedded server any other count scans every document), and set to
// what was processed when the session completes.
//
// # Reading
//
// One cursor, sorted by (timestamp, _id), batches of 1,000, read by its own
// goroutine two batches ahead so the server prepares the next batch while
// the runner sends this one; for unpaced runs that goroutine also parses
// and encodes each event, in one walk of its document
// (contract.ParseAndAppendEventJSON), taking the id, type and aggregate id
// it keeps from shared blocks (contract.Strings). A run reuses its messages
// (record, headers and value buffer) once the target reported them
// (messagePool). A broken cursor is reopened from
// the last event read: a network error, and also a cursor the server
// dropped (CursorNotFound 43 after 10 idle minutes behind a slow --rate,
// QueryPlanKilled 175, CursorKilled 237). The query passes allowDiskUse,
// so without the recommended index {timestamp: 1, _id: 1} a large sort
// spills to disk on MongoDB instead of failing (error 292).
//
// # Topics and per-key order
//
// Before the first send of a Kafka replay, Run checks that every topic the
// filter's event types go to exists (CheckTopics) and fails the session,
// sending nothing, when one does not; the commands refuse earlier, before
// the session changes. allow_missing_topics lets it run anyway. A client
// that asks for topic auto-creation (the dev stack, tests) skips the check.
//
// Records of one key keep replay order on a topic. franz-go's idempotent
// producer retries in order internally (outages included) and never sends a
// record again once it reported it failed. The engine retries a record the
// broker rejected (retry_attempts) only while no later record of its key
// has been handed to the client, and holds later records of that key until
// the retry ends; a rejected record with a later one of its key already
// sent fails at once ("not retried: ... would land after it"). A failed
// event is never sent again: the checkpoint moves past it. What a crashed
// runner had in flight is sent again from the checkpoint, in order, so a
// key's records may repeat (possible_duplicates) but never go backwards
// past what was sent after them in the same run. Memory is bounded by the prefetched batches, the
// in-flight window (8,192 records, 16 MiB) and the span between the oldest
// unacknowledged and the newest sent event (32,768), whatever the number
// of events.
// batch_size is kept for the platform; the engine reads with one cursor in
// batches of 1,000 and lets the producer batch by size and linger.
package replay

// Provenance headers on every replayed Kafka record.
const (
	HeaderSessionID         = "replayctl-session-id"
	HeaderReplayID          = "replayctl-replay-id"
	HeaderOriginalTimestamp = "replayctl-original-timestamp"
	HeaderReplayedAt        = "replayctl-replayed-at"
	HeaderEventType         = "replayctl-event-type"
)
