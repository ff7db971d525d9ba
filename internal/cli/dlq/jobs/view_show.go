package jobscmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/output"
)

// JobView is one job: its stored fields, plus progress (-o json: the job's
// fields with job_id, and progress).
type JobView struct {
	dlqjob.Job      `yaml:",inline"`
	Progress        progressJSON `json:"progress" yaml:"progress"`
	CancelRequested bool         `json:"cancel_requested" yaml:"cancel_requested"`
}

type progressJSON struct {
	Remaining  int64    `json:"remaining" yaml:"remaining"`
	PerSecond  float64  `json:"per_second" yaml:"per_second"`
	ETASeconds *float64 `json:"eta_seconds" yaml:"eta_seconds"`
}

// NewJobView renders j at now.
func NewJobView(j *dlqjob.Job, now time.Time, cancelRequested bool) JobView {
	p := dlqjob.ProgressOf(j, now)
	v := JobView{Job: *j, CancelRequested: cancelRequested,
		Progress: progressJSON{Remaining: p.Remaining, PerSecond: round2(p.PerSecond)}}
	if p.HasETA {
		s := p.ETA.Seconds()
		v.Progress.ETASeconds = &s
	}
	if v.Errors == nil {
		v.Errors = []dlqjob.JobError{}
	}
	return v
}

func round2(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
	return v
}

// DetailSections is the human screen of `dlq jobs show`.
func (v JobView) DetailSections(st *output.Styles) []output.Section {
	j := &v.Job
	status := string(j.Status)
	if v.CancelRequested && !j.Status.Terminal() {
		status += " (cancel requested)"
	}
	main := []output.Field{
		{Key: "Job", Value: j.ID},
		{Key: "Kind", Value: string(j.Kind)},
		{Key: "Status", Value: status},
		{Key: "Selection", Value: selection(j)},
		{Key: "Rate", Value: rate(j.Rate)},
	}
	if j.ToTopic != "" {
		main = append(main, output.Field{Key: "To topic", Value: j.ToTopic})
	}
	main = append(main,
		output.Field{Key: "Reason", Value: orDash(j.Reason)},
		output.Field{Key: "Requested by", Value: orDash(j.RequestedBy)},
		output.Field{Key: "Created", Value: when(&j.CreatedAt)},
		output.Field{Key: "Started", Value: when(j.StartedAt)},
		output.Field{Key: "Finished", Value: when(j.FinishedAt)},
	)
	if j.CancelledBy != "" {
		main = append(main, output.Field{Key: "Cancelled by", Value: j.CancelledBy + reasonSuffix(j.CancelReason)})
	}
	if j.Error != "" {
		main = append(main, output.Field{Key: "Error", Value: j.Error})
	}
	prog := []output.Field{
		{Key: "To move", Value: strconv.FormatInt(j.ToMove, 10)},
		{Key: "Done", Value: strconv.FormatInt(j.Done, 10)},
		{Key: "Failed", Value: strconv.FormatInt(j.Failed, 10)},
		{Key: "Refused", Value: strconv.FormatInt(j.Refused, 10)},
		{Key: "Possible duplicates", Value: strconv.FormatInt(j.PossibleDuplicates, 10)},
		{Key: "Remaining", Value: strconv.FormatInt(v.Progress.Remaining, 10)},
		{Key: "Speed", Value: fmt.Sprintf("%.1f/s", v.Progress.PerSecond)},
		{Key: "ETA", Value: eta(v.Progress.ETASeconds, j.Status)},
	}
	if j.Unreadable > 0 {
		prog = append(prog, output.Field{Key: "Unreadable", Value: strconv.FormatInt(j.Unreadable, 10)})
	}
	holder := []output.Field{{Key: "Owner", Value: orDash(j.Holder.Owner)}, {Key: "Lease epoch", Value: strconv.FormatInt(j.Holder.Epoch, 10)}}
	if j.Checkpoint.At != nil {
		holder = append(holder, output.Field{Key: "Checkpoint", Value: when(j.Checkpoint.At)})
	}
	secs := []output.Section{{Fields: main}, {Title: "Progress", Fields: prog}, {Title: "Holder", Fields: holder}}
	if len(j.Errors) > 0 {
		secs = append(secs, output.Section{Title: "Last errors", Table: errorsTable(j.Errors)})
	}
	return secs
}

type errorsTable []dlqjob.JobError

func (t errorsTable) TableHeader() []string { return []string{"AT", "EVENT ID", "ERROR"} }

func (t errorsTable) TableRows(*output.Styles) [][]string {
	rows := make([][]string, len(t))
	for i, e := range t {
		rows[i] = []string{e.At.UTC().Format(contract.TimeFormat), orDash(e.EventID), e.Error}
	}
	return rows
}

func selection(j *dlqjob.Job) string {
	if len(j.EventIDs) > 0 {
		return fmt.Sprintf("%d event ids", len(j.EventIDs))
	}
	f := j.Filter
	if f == nil {
		return "every message"
	}
	var parts []string
	add := func(k string, v []string) {
		if len(v) > 0 {
			parts = append(parts, k+"="+strings.Join(v, ","))
		}
	}
	add("status", f.Statuses)
	add("topic", f.Topics)
	add("type", f.EventTypes)
	if f.Since != nil {
		parts = append(parts, "since="+f.Since.UTC().Format(contract.TimeFormat))
	}
	if f.Until != nil {
		parts = append(parts, "until="+f.Until.UTC().Format(contract.TimeFormat))
	}
	if f.ErrorContains != "" {
		parts = append(parts, fmt.Sprintf("error~%q", f.ErrorContains))
	}
	if len(parts) == 0 {
		return "every message"
	}
	return strings.Join(parts, " ")
}

func rate(r float64) string {
	if r <= 0 {
		return "no cap"
	}
	return strconv.FormatFloat(r, 'g', -1, 64) + "/s"
}

func eta(secs *float64, s dlqjob.Status) string {
	switch {
	case s.Terminal():
		return "-"
	case secs == nil:
		return "unknown"
	}
	return (time.Duration(*secs) * time.Second).String()
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(contract.TimeFormat)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return " (" + r + ")"
}
