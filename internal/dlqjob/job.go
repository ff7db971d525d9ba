package dlqjob

import (
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
)

// Kind is what a job does to its messages.
type Kind string

// Kinds.
const (
	KindRetry   Kind = "retry"
	KindDiscard Kind = "discard"
)

// Filter is the selection as the operator gave it (the filters of `dlq
// list`), stored with the job.
type Filter struct {
	Statuses      []string   `bson:"statuses,omitempty" json:"statuses,omitempty" yaml:"statuses,omitempty"`
	Topics        []string   `bson:"topics,omitempty" json:"topics,omitempty" yaml:"topics,omitempty"`
	EventTypes    []string   `bson:"event_types,omitempty" json:"event_types,omitempty" yaml:"event_types,omitempty"`
	Since         *time.Time `bson:"since,omitempty" json:"since,omitempty" yaml:"since,omitempty"`
	Until         *time.Time `bson:"until,omitempty" json:"until,omitempty" yaml:"until,omitempty"`
	ErrorContains string     `bson:"error_contains,omitempty" json:"error_contains,omitempty" yaml:"error_contains,omitempty"`
}

// FilterOf records a list filter as given.
func FilterOf(f dlq.ListFilter) *Filter {
	out := &Filter{Topics: f.Topics, EventTypes: f.EventTypes, Since: f.Since, Until: f.Until, ErrorContains: f.ErrorContains}
	for _, s := range f.Statuses {
		out.Statuses = append(out.Statuses, string(s))
	}
	return out
}

func (f *Filter) listFilter() dlq.ListFilter {
	if f == nil {
		return dlq.ListFilter{}
	}
	out := dlq.ListFilter{Topics: f.Topics, EventTypes: f.EventTypes, Since: f.Since, Until: f.Until, ErrorContains: f.ErrorContains}
	for _, s := range f.Statuses {
		out.Statuses = append(out.Statuses, contract.DLQStatus(s))
	}
	return out
}

// JobError is one of a job's last errors.
type JobError struct {
	At      time.Time `bson:"at" json:"at" yaml:"at"`
	EventID string    `bson:"event_id,omitempty" json:"event_id,omitempty" yaml:"event_id,omitempty"`
	Error   string    `bson:"error" json:"error" yaml:"error"`
}

// maxErrors bounds the errors a job keeps: the last ones tell the cause;
// the messages themselves keep their own last_error.
const maxErrors = 10

// Holder is the process running the job and its lease epoch (0 = none yet).
type Holder struct {
	Owner string     `bson:"owner,omitempty" json:"owner,omitempty" yaml:"owner,omitempty"`
	Epoch int64      `bson:"epoch" json:"epoch" yaml:"epoch"`
	Since *time.Time `bson:"since,omitempty" json:"since,omitempty" yaml:"since,omitempty"`
}

// Checkpoint is where a holder stands: everything up to After is handled;
// InFlight are the event ids of the chunk being sent (ending at
// InFlightEnd), which a holder taking over after a crash finishes first.
type Checkpoint struct {
	After       *dlq.Position `bson:"after,omitempty" json:"after,omitempty" yaml:"after,omitempty"`
	InFlight    []string      `bson:"in_flight,omitempty" json:"in_flight,omitempty" yaml:"in_flight,omitempty"`
	InFlightEnd *dlq.Position `bson:"in_flight_end,omitempty" json:"in_flight_end,omitempty" yaml:"in_flight_end,omitempty"`
	At          *time.Time    `bson:"at,omitempty" json:"at,omitempty" yaml:"at,omitempty"`
}

// Counters are a job's progress.
type Counters struct {
	Done               int64 `bson:"done" json:"done" yaml:"done"`
	Failed             int64 `bson:"failed" json:"failed" yaml:"failed"`
	Refused            int64 `bson:"refused" json:"refused" yaml:"refused"`
	PossibleDuplicates int64 `bson:"possible_duplicates" json:"possible_duplicates" yaml:"possible_duplicates"`
	// Unreadable counts stored messages the job could not read and passed over.
	Unreadable int64 `bson:"unreadable" json:"unreadable" yaml:"unreadable"`
}

// Handled is every message the job has dealt with one way or another.
func (c Counters) Handled() int64 { return c.Done + c.Failed + c.Refused + c.Unreadable }

// Job is one document of replayctl_dlq_jobs.
type Job struct {
	ID   string `bson:"_id" json:"job_id" yaml:"job_id"`
	Kind Kind   `bson:"kind" json:"kind" yaml:"kind"`
	// EventIDs are the ids as given (full ids, prefixes resolved), or the
	// messages a filter with --limit/--offset picked; else Filter selects.
	EventIDs    []string   `bson:"event_ids,omitempty" json:"event_ids,omitempty" yaml:"event_ids,omitempty"`
	Filter      *Filter    `bson:"filter,omitempty" json:"filter,omitempty" yaml:"filter,omitempty"`
	ToMove      int64      `bson:"to_move" json:"to_move" yaml:"to_move"`
	Rate        float64    `bson:"rate" json:"rate" yaml:"rate"`
	ToTopic     string     `bson:"to_topic" json:"to_topic" yaml:"to_topic"`
	Reason      string     `bson:"reason" json:"reason" yaml:"reason"`
	RequestedBy string     `bson:"requested_by" json:"requested_by" yaml:"requested_by"`
	CreatedAt   time.Time  `bson:"created_at" json:"created_at" yaml:"created_at"`
	StartedAt   *time.Time `bson:"started_at" json:"started_at" yaml:"started_at"`
	FinishedAt  *time.Time `bson:"finished_at" json:"finished_at" yaml:"finished_at"`
	Status      Status     `bson:"status" json:"status" yaml:"status"`
	Counters    `bson:",inline" yaml:",inline"`
	Errors      []JobError `bson:"errors" json:"errors" yaml:"errors"`
	Holder      Holder     `bson:"holder" json:"holder" yaml:"holder"`
	Checkpoint  Checkpoint `bson:"checkpoint" json:"checkpoint" yaml:"checkpoint"`
	// CancelledBy and CancelReason record who cancelled the job and why.
	CancelledBy  string `bson:"cancelled_by,omitempty" json:"cancelled_by,omitempty" yaml:"cancelled_by,omitempty"`
	CancelReason string `bson:"cancel_reason,omitempty" json:"cancel_reason,omitempty" yaml:"cancel_reason,omitempty"`
	// Error says why a failed job failed.
	Error string `bson:"error,omitempty" json:"error,omitempty" yaml:"error,omitempty"`
}

// selection is the rule of which messages the job acts on (see doc.go).
func (j *Job) selection() dlq.JobSelection {
	return dlq.JobSelection{Filter: j.Filter.listFilter(), EventIDs: j.EventIDs, Before: j.CreatedAt}
}

// addErrors appends errs, keeping the last maxErrors.
func (j *Job) addErrors(errs ...JobError) {
	j.Errors = append(j.Errors, errs...)
	if n := len(j.Errors); n > maxErrors {
		j.Errors = append([]JobError(nil), j.Errors[n-maxErrors:]...)
	}
}
