package verify

import (
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
)

// Verdicts.
const (
	VerdictOK       = "ok"
	VerdictMismatch = "mismatch"
)

// Report is the outcome of one verification.
type Report struct {
	SessionID string                 `json:"session_id" yaml:"session_id"`
	Status    contract.SessionStatus `json:"status" yaml:"status"`
	Target    string                 `json:"target" yaml:"target"`
	// Verdict is ok when nothing is missing or unexpected.
	Verdict string `json:"verdict" yaml:"verdict"`
	// StoredBefore is the greatest event _id the selection included (the
	// session's insertion bound); UpperBound the older time bound, for
	// sessions that recorded that instead.
	StoredBefore string     `json:"stored_before,omitempty" yaml:"stored_before,omitempty"`
	UpperBound   *time.Time `json:"upper_bound,omitempty" yaml:"upper_bound,omitempty"`

	Expected int64 `json:"expected" yaml:"expected"`
	// Delivered counts distinct expected events the target holds.
	Delivered int64 `json:"delivered" yaml:"delivered"`
	// RecordsRead counts the records (or lines) carrying the session's
	// mark: every copy, unreadable ones included.
	RecordsRead int64 `json:"records_read" yaml:"records_read"`
	// Skipped counts stored documents the run skipped as malformed: not expected.
	Skipped    int64 `json:"skipped_malformed" yaml:"skipped_malformed"`
	Unreadable int64 `json:"unreadable" yaml:"unreadable"`

	Missing       int64          `json:"missing" yaml:"missing"`
	MissingEvents []MissingEvent `json:"missing_events" yaml:"missing_events"`

	Duplicated int64    `json:"duplicated" yaml:"duplicated"`
	Duplicates []Copies `json:"duplicates" yaml:"duplicates"`
	// DuplicatesInWindows says every duplicate lies in a recorded window.
	DuplicatesInWindows      bool     `json:"duplicates_in_windows" yaml:"duplicates_in_windows"`
	DuplicatesOutsideWindows int64    `json:"duplicates_outside_windows" yaml:"duplicates_outside_windows"`
	OutsideWindows           []string `json:"outside_windows" yaml:"outside_windows"`
	Windows                  int      `json:"windows" yaml:"windows"`

	Unexpected       int64    `json:"unexpected" yaml:"unexpected"`
	UnexpectedEvents []Copies `json:"unexpected_events" yaml:"unexpected_events"`
	// NoLongerStored counts delivered events outside the selection that
	// the event store no longer holds (expired or deleted since the run):
	// they cannot be checked, so they do not fail the verification.
	NoLongerStored       int64    `json:"no_longer_stored" yaml:"no_longer_stored"`
	NoLongerStoredEvents []Copies `json:"no_longer_stored_events" yaml:"no_longer_stored_events"`

	// Sources are what was read: partitions and offset ranges, or the file.
	Sources  []Source `json:"sources" yaml:"sources"`
	Warnings []string `json:"warnings" yaml:"warnings"`

	// ReadSeconds is how long reading the target took; ReadRate is records
	// (all of them, the session's or not) per second over it.
	ReadSeconds float64 `json:"read_seconds" yaml:"read_seconds"`
	Scanned     int64   `json:"records_scanned" yaml:"records_scanned"`
	ReadRate    float64 `json:"read_rate" yaml:"read_rate"`

	VerifiedAt time.Time `json:"verified_at" yaml:"verified_at"`
	VerifiedBy string    `json:"verified_by,omitempty" yaml:"verified_by,omitempty"`
}

// MissingEvent is an expected event the target does not hold.
type MissingEvent struct {
	EventID   string     `json:"event_id" yaml:"event_id"`
	Timestamp *time.Time `json:"timestamp" yaml:"timestamp"`
	EventType string     `json:"event_type" yaml:"event_type"`
}

// Source is one partition's range, or a file, that was read.
type Source struct {
	Topic     string `json:"topic,omitempty" yaml:"topic,omitempty"`
	Partition int32  `json:"partition" yaml:"partition"`
	From      int64  `json:"from" yaml:"from"`
	To        int64  `json:"to" yaml:"to"` // exclusive
	File      string `json:"file,omitempty" yaml:"file,omitempty"`
}

// Clean reports that nothing is missing or unexpected.
func (r *Report) Clean() bool { return r.Missing == 0 && r.Unexpected == 0 }

// Summary is what the session stores of the report.
func (r *Report) Summary() *contract.Verification {
	return &contract.Verification{
		VerifiedAt: r.VerifiedAt, VerifiedBy: r.VerifiedBy, Verdict: r.Verdict,
		Expected: r.Expected, Delivered: r.Delivered, RecordsRead: r.RecordsRead,
		Missing: r.Missing, Duplicated: r.Duplicated, Unexpected: r.Unexpected,
		DuplicatesOutsideWindows: r.DuplicatesOutsideWindows, Unreadable: r.Unreadable,
		Warnings: r.Warnings,
	}
}

// fill copies the comparison's counts into the report.
func (r *Report) fill(c counts, windows int) {
	r.Expected, r.Delivered, r.Missing = c.expected, c.delivered, c.missing
	r.Duplicated, r.Duplicates = c.duplicated, nonNil(c.duplicates)
	r.DuplicatesOutsideWindows, r.OutsideWindows = c.outsideWindows, nonNil(c.outside)
	r.DuplicatesInWindows = c.outsideWindows == 0
	r.Windows = windows
	r.Unexpected, r.UnexpectedEvents = c.unexpected, nonNil(firstListed(c.unexpectedList))
	r.NoLongerStored, r.NoLongerStoredEvents = int64(len(c.gone)), nonNil(firstListed(c.gone))
	r.Verdict = VerdictOK
	if !r.Clean() {
		r.Verdict = VerdictMismatch
	}
}

func firstListed(s []Copies) []Copies { return s[:min(len(s), maxListed)] }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
