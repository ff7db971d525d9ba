// Package audit is the trail of operator actions: who changed what, when,
// why, and how it went. A command writes its intent (outcome "unknown")
// before it changes anything and its outcome afterwards, so a crash in
// between leaves an intent that says so, never a change without a record.
// A worker's automatic processing is not audited here; metrics cover it.
package audit

import (
	"time"
)

// Status is how an audited action ended.
type Status string

const (
	// Unknown is an intent whose outcome was never written: the process
	// died, or lost MongoDB, between acting and recording.
	Unknown Status = "unknown"
	OK      Status = "ok"
	// Partial is a bulk action in which some items failed or were refused.
	Partial Status = "partial"
	Failed  Status = "failed"
)

// Statuses lists every status, for help text and validation.
var Statuses = []Status{OK, Partial, Failed, Unknown}

// Actions audited by replayctl's commands. A later command adds its own
// dotted name: <noun>.<verb>, with the sub-noun between (dlq.policy.set).
const (
	ReplayCreate  = "replay.create"
	ReplayRun     = "replay.run"
	ReplayStart   = "replay.start"
	ReplayPause   = "replay.pause"
	ReplayResume  = "replay.resume"
	ReplayCancel  = "replay.cancel"
	ReplayCleanup = "replay.cleanup"

	DLQRetry       = "dlq.retry"
	DLQDiscard     = "dlq.discard"
	DLQEdit        = "dlq.edit"
	DLQPolicySet   = "dlq.policy.set"
	DLQPolicyUnset = "dlq.policy.unset"
	DLQJobCreate   = "dlq.job.create"
	DLQJobCancel   = "dlq.job.cancel"
	DLQJobFinish   = "dlq.job.finish"

	AuditPrune = "audit.prune"
)

// MaxTargets bounds the ids one record stores, far below MongoDB's 16 MB
// document limit and small enough to read.
const MaxTargets = 1000

// Counts are the per-item results of a bulk action.
type Counts struct {
	Succeeded int64 `bson:"succeeded" json:"succeeded" yaml:"succeeded"`
	Failed    int64 `bson:"failed" json:"failed" yaml:"failed"`
	Refused   int64 `bson:"refused" json:"refused" yaml:"refused"`
}

// Record is one document of replayctl_audit.
type Record struct {
	ID     string    `bson:"_id" json:"id" yaml:"id"`
	At     time.Time `bson:"at" json:"at" yaml:"at"`
	Actor  string    `bson:"actor" json:"actor" yaml:"actor"`
	Action string    `bson:"action" json:"action" yaml:"action"`
	// Targets are the ids acted on (full ids, not the prefixes typed).
	Targets []string `bson:"targets" json:"targets" yaml:"targets"`
	// TargetsOmitted counts the ids beyond MaxTargets that were not
	// stored: a bulk action by filter is described by Filter and Matched.
	TargetsOmitted int `bson:"targets_omitted,omitempty" json:"targets_omitted,omitempty" yaml:"targets_omitted,omitempty"`
	// Filter is the selection as given on the command line (flag -> value)
	// when the action selected by filter; Matched is how many it matched.
	Filter  map[string]string `bson:"filter,omitempty" json:"filter,omitempty" yaml:"filter,omitempty"`
	Matched *int64            `bson:"matched,omitempty" json:"matched,omitempty" yaml:"matched,omitempty"`
	// Params are other settings of the action worth keeping (a policy's
	// strategy, a cleanup's cutoff).
	Params map[string]string `bson:"params,omitempty" json:"params,omitempty" yaml:"params,omitempty"`
	Reason string            `bson:"reason" json:"reason" yaml:"reason"`

	Outcome    Status     `bson:"outcome" json:"outcome" yaml:"outcome"`
	Counts     *Counts    `bson:"counts,omitempty" json:"counts,omitempty" yaml:"counts,omitempty"`
	Error      string     `bson:"error,omitempty" json:"error,omitempty" yaml:"error,omitempty"`
	FinishedAt *time.Time `bson:"finished_at,omitempty" json:"finished_at,omitempty" yaml:"finished_at,omitempty"`

	Version string `bson:"version" json:"version" yaml:"version"`
	Host    string `bson:"host" json:"host" yaml:"host"`
}

// check rejects documents that decode but are not audit records.
func (r *Record) check() error {
	if r.ID == "" || r.Action == "" || r.At.IsZero() {
		return errNotRecord
	}
	return nil
}

// Intent is what a command is about to do.
type Intent struct {
	Action  string
	Targets []string
	Filter  map[string]string
	Matched *int64
	Params  map[string]string
	Reason  string
}

// Outcome is how the action ended.
type Outcome struct {
	Status Status
	Counts *Counts
	Error  string
	// Targets are ids known only once the action ran (a created session
	// or job); they are added to the intent's targets.
	Targets []string
}
