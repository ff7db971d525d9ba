// Package dlqjob runs DLQ redrive jobs: a bulk retry or discard that a
// worker (or `replayctl dlq jobs run`) carries out on the server side, with
// an id, progress, and cancel, so it outlives the operator's terminal.
//
// # Which messages
//
// A job acts on the messages that match its filter (or its event ids), are
// in a retryable state (pending or scheduled) and failed at or before the
// job was created (failed_at <= created_at). Messages that fail later
// belong to the DLQ processor's normal policy, not to the job. The holder
// reads them with one cursor in (failed_at, _id) order; the checkpoint is
// the position of the last message handled, so a resumed job goes on from
// there, and a message that fails to send is counted and left behind, never
// picked again by the same job. to_move is the number selected at creation.
//
// # One holder, leases, checkpoints
//
// A holder takes the job with a lease inserted as <job_id>:<epoch> in
// replayctl_dlq_job_leases (one winner per epoch, on MongoDB and on the
// embedded server), renews it every third of its TTL (30 s by default) and
// trusts it until a fifth of the TTL before expiry. Only the holder writes
// the job document, fenced by the epoch recorded in it. Before each chunk
// (about half a second of sends at the job's rate)
// it writes a checkpoint with the counters and the chunk's event ids
// ("in flight"); checkpoints therefore come at least every 2 s while a paced
// job runs, and for an unpaced one on MongoDB (chunks sized to ~2 s, 100 to
// 500 messages; on the embedded server a 100-message chunk can take longer).
//
// # Sending, and a holder that dies
//
// Chunks go through the DLQ manager's claim path (package dlq), so a job
// never sends a message twice in one round against another job, a
// foreground `dlq retry` or the DLQ processor. A job's claims carry its id
// and epoch. A holder killed mid-chunk leaves claims that live 5 minutes,
// far longer than the job's lease: the holder that takes over after the
// lease TTL first finishes the journaled in-flight chunk, takes those
// claims over at once (only claims of the same job from an earlier epoch),
// and counts the messages it sends again in possible_duplicates. Messages
// of that chunk already in the job's end state were handled by the dead
// holder after its last count and are counted done. Nothing else can be a
// duplicate: a message is sent only under a claim, and claims of other
// processes are never taken over while live.
//
// # Cancel and release
//
// Cancel is a request inserted in replayctl_dlq_job_requests; the holder
// polls for it every 400 ms, marks the job cancelling, stops before its
// next chunk (within about a second) and marks it cancelled. Messages already sent stay sent. A
// job nobody holds is cancelled by the command itself under a short control
// lease. A holder whose context ends (Ctrl-C on `dlq jobs run`, a worker
// shutting down) writes its checkpoint and puts the job back to pending.
package dlqjob
