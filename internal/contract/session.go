package contract

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// SessionStatus is a replay session's lifecycle state, stored as its lowercase string.
type SessionStatus string

const (
	StatusPreview   SessionStatus = "preview"
	StatusScheduled SessionStatus = "scheduled"
	StatusCreated   SessionStatus = "created"
	StatusRunning   SessionStatus = "running"
	StatusPaused    SessionStatus = "paused"
	StatusCompleted SessionStatus = "completed"
	StatusFailed    SessionStatus = "failed"
	StatusCancelled SessionStatus = "cancelled"
)

// SessionStatuses lists every status, in lifecycle order.
var SessionStatuses = []SessionStatus{
	StatusPreview, StatusScheduled, StatusCreated, StatusRunning, StatusPaused,
	StatusCompleted, StatusFailed, StatusCancelled,
}

// Terminal reports whether no further transition is possible.
func (s SessionStatus) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Valid reports whether s is one of the contract's statuses.
func (s SessionStatus) Valid() bool {
	for _, v := range SessionStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Replay types and targets, as the contract stores them.
const (
	ReplayTypeExecution = "execution"
	ReplayTypeTimeRange = "time_range"
	ReplayTypeEventType = "event_type"
	ReplayTypeQuery     = "query"
	ReplayTypeRecovery  = "recovery"

	TargetKafka    = "kafka"
	TargetFile     = "file"
	TargetCallback = "callback"
	TargetTest     = "test"
)

// ReplayTypes and Targets are the accepted values, for validation and completion.
var (
	ReplayTypes = []string{ReplayTypeExecution, ReplayTypeTimeRange, ReplayTypeEventType, ReplayTypeQuery, ReplayTypeRecovery}
	Targets     = []string{TargetKafka, TargetFile, TargetCallback, TargetTest}
)

// Filter selects events; every set condition must hold. Unset fields are
// stored as null, as the platform does.
type Filter struct {
	EventIDs          []string   `bson:"event_ids" json:"event_ids"`
	ExecutionID       *string    `bson:"execution_id" json:"execution_id"`
	AggregateID       *string    `bson:"aggregate_id" json:"aggregate_id"`
	EventTypes        []string   `bson:"event_types" json:"event_types"`
	ExcludeEventTypes []string   `bson:"exclude_event_types" json:"exclude_event_types"`
	StartTime         *time.Time `bson:"start_time" json:"start_time"`
	EndTime           *time.Time `bson:"end_time" json:"end_time"`
	UserID            *string    `bson:"user_id" json:"user_id"`
	ServiceName       *string    `bson:"service_name" json:"service_name"`
	// Extra keeps fields a newer platform may add, so rewriting a filter never drops them.
	Extra map[string]any `bson:",inline" json:"-"`
}

// Empty reports whether the filter selects every event.
func (f Filter) Empty() bool {
	return len(f.EventIDs) == 0 && f.ExecutionID == nil && f.AggregateID == nil &&
		len(f.EventTypes) == 0 && len(f.ExcludeEventTypes) == 0 && f.StartTime == nil &&
		f.EndTime == nil && f.UserID == nil && f.ServiceName == nil
}

// SessionConfig is a session's `config` sub-document.
type SessionConfig struct {
	ReplayType             string            `bson:"replay_type" json:"replay_type"`
	Target                 string            `bson:"target" json:"target"`
	Filter                 Filter            `bson:"filter" json:"filter"`
	SpeedMultiplier        float64           `bson:"speed_multiplier" json:"speed_multiplier"`
	PreserveTimestamps     bool              `bson:"preserve_timestamps" json:"preserve_timestamps"`
	BatchSize              int               `bson:"batch_size" json:"batch_size"`
	MaxEvents              *int64            `bson:"max_events" json:"max_events"`
	TargetTopics           map[string]string `bson:"target_topics" json:"target_topics"`
	TargetFilePath         *string           `bson:"target_file_path" json:"target_file_path"`
	SkipErrors             bool              `bson:"skip_errors" json:"skip_errors"`
	RetryFailed            bool              `bson:"retry_failed" json:"retry_failed"`
	RetryAttempts          int               `bson:"retry_attempts" json:"retry_attempts"`
	EnableProgressTracking bool              `bson:"enable_progress_tracking" json:"enable_progress_tracking"`
	Extra                  map[string]any    `bson:",inline" json:"-"`
}

// Speed multipliers at or above NoPacing replay as fast as possible.
const (
	MinSpeed = 0.1
	NoPacing = 100.0
)

// DefaultSessionConfig returns the platform's defaults.
func DefaultSessionConfig() SessionConfig {
	return SessionConfig{
		ReplayType:             ReplayTypeQuery,
		Target:                 TargetKafka,
		SpeedMultiplier:        NoPacing,
		BatchSize:              100,
		SkipErrors:             true,
		RetryAttempts:          3,
		EnableProgressTracking: true,
	}
}

// SessionError is one entry of a session's bounded `errors` list.
type SessionError struct {
	Timestamp time.Time `bson:"timestamp" json:"timestamp"`
	Error     string    `bson:"error" json:"error"`
	ErrorType *string   `bson:"error_type" json:"error_type"`
	EventID   *string   `bson:"event_id" json:"event_id"`
}

// MaxSessionErrors bounds the errors list so a bad replay cannot grow the
// session document without limit.
const MaxSessionErrors = 50

// Session is a `replay_sessions` document.
type Session struct {
	SessionID           string         `bson:"session_id" json:"session_id"`
	ReplayID            string         `bson:"replay_id" json:"replay_id"`
	Status              SessionStatus  `bson:"status" json:"status"`
	Config              SessionConfig  `bson:"config" json:"config"`
	TotalEvents         int64          `bson:"total_events" json:"total_events"`
	ReplayedEvents      int64          `bson:"replayed_events" json:"replayed_events"`
	FailedEvents        int64          `bson:"failed_events" json:"failed_events"`
	SkippedEvents       int64          `bson:"skipped_events" json:"skipped_events"`
	CreatedAt           time.Time      `bson:"created_at" json:"created_at"`
	StartedAt           *time.Time     `bson:"started_at" json:"started_at"`
	CompletedAt         *time.Time     `bson:"completed_at" json:"completed_at"`
	LastEventAt         *time.Time     `bson:"last_event_at" json:"last_event_at"`
	Errors              []SessionError `bson:"errors" json:"errors"`
	CreatedBy           *string        `bson:"created_by" json:"created_by"`
	TargetService       *string        `bson:"target_service" json:"target_service"`
	Error               *string        `bson:"error" json:"error"`
	DryRun              bool           `bson:"dry_run" json:"dry_run"`
	TriggeredExecutions []string       `bson:"triggered_executions" json:"triggered_executions"`
	// Replayctl holds replayctl's own bookkeeping under a name the platform
	// does not use; the platform ignores it.
	Replayctl *SessionExt    `bson:"replayctl,omitempty" json:"replayctl,omitempty"`
	Extra     map[string]any `bson:",inline" json:"-"`
}

// SessionExt is replayctl's checkpoint and provenance data for a session.
type SessionExt struct {
	// Checkpoint is the position after the last event acknowledged by the target.
	Checkpoint *Checkpoint `bson:"checkpoint,omitempty" json:"checkpoint,omitempty"`
	// PossibleDuplicates counts events that may have been sent twice because a
	// runner died after sending them and before checkpointing.
	PossibleDuplicates int64 `bson:"possible_duplicates" json:"possible_duplicates"`
	// Epoch is the lease epoch of the runner that last wrote the session.
	Epoch int64 `bson:"epoch" json:"epoch"`
	// Owner names the process that last held the session.
	Owner string `bson:"owner,omitempty" json:"owner,omitempty"`
	// CheckpointedAt is when counters were last written.
	CheckpointedAt *time.Time `bson:"checkpointed_at,omitempty" json:"checkpointed_at,omitempty"`
	// RateLimit caps events per second (--rate); 0 means no cap. The contract
	// has no such field, so it lives here.
	RateLimit float64 `bson:"rate_limit,omitempty" json:"rate_limit,omitempty"`
	// Runs counts how many times a runner has taken the session.
	Runs int64 `bson:"runs" json:"runs"`
	// AllowMissingTopics lets the session run although some of its target
	// topics do not exist (--allow-missing-topics); each event to such a
	// topic then fails on its own. Without it a run refuses to start.
	AllowMissingTopics bool `bson:"allow_missing_topics,omitempty" json:"allow_missing_topics,omitempty"`
	// Provenance is what the first run recorded for `replay verify`.
	Provenance *Provenance `bson:"provenance,omitempty" json:"provenance,omitempty"`
	// DuplicateWindows are where possible_duplicates lie in replay order.
	DuplicateWindows []DuplicateWindow `bson:"duplicate_windows,omitempty" json:"duplicate_windows,omitempty"`
	// Verification is written only by `replay verify`, never by a runner.
	Verification *Verification `bson:"verification,omitempty" json:"verification,omitempty"`
}

// Checkpoint is a replay position in (timestamp, _id) order.
type Checkpoint struct {
	Timestamp time.Time `bson:"timestamp" json:"timestamp"`
	ObjectID  string    `bson:"object_id" json:"object_id"` // hex of the event's _id
	EventID   string    `bson:"event_id" json:"event_id"`
	// Head counts documents read from the very start of replay order whose
	// timestamp is not a date: they sort before every date, all of them are
	// skipped, and (timestamp, _id) cannot name a position among them. A
	// checkpoint with Head and no ObjectID resumes after that many documents.
	Head int64 `bson:"head,omitempty" json:"head,omitempty"`
}

// HeadOnly reports a checkpoint inside the leading run of documents whose
// timestamp is not a date.
func (c *Checkpoint) HeadOnly() bool { return c != nil && c.ObjectID == "" && c.Head > 0 }

// Provenance is what a session's first run records so that `replay verify`
// can later compare what the target received with what was selected. None
// of it is the platform's.
type Provenance struct {
	// StoredBefore bounds the session's selection to the events that
	// existed at its first start: the greatest ObjectID of that second (its
	// time the next second, the rest zero). An event whose _id is greater
	// was inserted later and is neither replayed nor expected, whatever its
	// timestamp, so the run, its total and a later verify evaluate the same
	// selection. ObjectIDs are made by the inserting client, so a client
	// clock skewed against the first start blurs the bound by its skew.
	StoredBefore *bson.ObjectID `bson:"stored_before,omitempty" json:"stored_before,omitempty"`
	// UpperBound is the bound replayctl recorded before StoredBefore: the
	// newest event timestamp replayed. Read only for sessions without
	// StoredBefore, so that they keep the selection they began with.
	UpperBound *time.Time `bson:"upper_bound,omitempty" json:"upper_bound,omitempty"`
	// StartOffsets are the end offsets of every partition of the target
	// topics when the session first started; EndOffsets the same when a run
	// last ended (completed, failed, cancelled, paused or released).
	StartOffsets []TopicOffsets `bson:"start_offsets,omitempty" json:"start_offsets,omitempty"`
	EndOffsets   []TopicOffsets `bson:"end_offsets,omitempty" json:"end_offsets,omitempty"`
	// StartOffsetsAt and EndOffsetsAt are when the offsets were listed: set
	// also when no target topic existed yet (the lists are then empty).
	StartOffsetsAt *time.Time `bson:"start_offsets_at,omitempty" json:"start_offsets_at,omitempty"`
	EndOffsetsAt   *time.Time `bson:"end_offsets_at,omitempty" json:"end_offsets_at,omitempty"`
	// TopicPrefix is the prefix the first start mapped event types without
	// a target_topics entry with, so that a verify run elsewhere maps them
	// the same way.
	TopicPrefix *string `bson:"topic_prefix,omitempty" json:"topic_prefix,omitempty"`
	// FilePath and FileStart are where a file target began writing.
	FilePath  string `bson:"file_path,omitempty" json:"file_path,omitempty"`
	FileStart *int64 `bson:"file_start,omitempty" json:"file_start,omitempty"`
}

// TopicOffsets are offsets of a topic's partitions.
type TopicOffsets struct {
	Topic      string            `bson:"topic" json:"topic"`
	Partitions []PartitionOffset `bson:"partitions" json:"partitions"`
}

// PartitionOffset is one partition's offset.
type PartitionOffset struct {
	Partition int32 `bson:"partition" json:"partition"`
	Offset    int64 `bson:"offset" json:"offset"`
}

// DuplicateWindow is a stretch of replay order that a runner may have sent
// twice: it took the session over (after a crash, a lapsed claim or a
// retake) from the checkpoint After, and the previous run may have sent up
// to Count events past it before dying. Through, when set, is the last
// position of the window, inclusive (the Count-th event the taker sent);
// without it the window is the first Count events after After that the
// session sends.
type DuplicateWindow struct {
	Epoch int64 `bson:"epoch" json:"epoch"`
	// After is exclusive; nil is the start of the selection.
	After   *Checkpoint `bson:"after,omitempty" json:"after,omitempty"`
	Through *Checkpoint `bson:"through,omitempty" json:"through,omitempty"`
	Count   int64       `bson:"count" json:"count"`
	// Merged says older windows were folded into this one to keep the
	// list short: it then spans them and everything between them.
	Merged bool `bson:"merged,omitempty" json:"merged,omitempty"`
}

// MaxDuplicateWindows bounds the list of windows a session keeps; older
// windows are merged.
const MaxDuplicateWindows = 50

// Verification is the summary of the last `replay verify` of a session
// (never the id lists).
type Verification struct {
	VerifiedAt time.Time `bson:"verified_at" json:"verified_at"`
	VerifiedBy string    `bson:"verified_by,omitempty" json:"verified_by,omitempty"`
	// Verdict is "ok" when nothing is missing or unexpected, else "mismatch".
	Verdict     string `bson:"verdict" json:"verdict"`
	Expected    int64  `bson:"expected" json:"expected"`
	Delivered   int64  `bson:"delivered" json:"delivered"`
	RecordsRead int64  `bson:"records_read" json:"records_read"`
	Missing     int64  `bson:"missing" json:"missing"`
	Duplicated  int64  `bson:"duplicated" json:"duplicated"`
	Unexpected  int64  `bson:"unexpected" json:"unexpected"`
	// DuplicatesOutsideWindows counts duplicated events no recorded window covers.
	DuplicatesOutsideWindows int64    `bson:"duplicates_outside_windows" json:"duplicates_outside_windows"`
	Unreadable               int64    `bson:"unreadable" json:"unreadable"`
	Warnings                 []string `bson:"warnings,omitempty" json:"warnings,omitempty"`
}
