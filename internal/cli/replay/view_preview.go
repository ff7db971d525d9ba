package replaycmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// previewView is what preview prints. Its JSON shape is a stable interface.
type previewView struct {
	SessionID                string            `json:"session_id,omitempty"`
	Target                   string            `json:"target"`
	Matching                 int64             `json:"matching"`
	Total                    int64             `json:"total"`
	First                    *time.Time        `json:"first"`
	Last                     *time.Time        `json:"last"`
	ByType                   []typePreviewView `json:"by_type"`
	Sample                   []json.RawMessage `json:"sample"`
	EstimatedDurationSeconds float64           `json:"estimated_duration_seconds"`
	Pacing                   string            `json:"pacing"`
	// SortIndex is null when the indexes could not be listed.
	SortIndex *sortIndexView `json:"sort_index"`

	estimated time.Duration
}

// sortIndexView says whether an index of the events collection serves the
// replay order (timestamp, _id) for this filter.
type sortIndexView struct {
	Covered     bool   `json:"covered"`
	Index       string `json:"index,omitempty"`
	Recommended string `json:"recommended,omitempty"`
}

type typePreviewView struct {
	EventType string `json:"event_type"`
	Count     int64  `json:"count"`
	Topic     string `json:"topic"`
	// TopicExists is null when Kafka was not asked (file targets).
	TopicExists *bool `json:"topic_exists"`
}

// newPreviewView describes pv for sess; a draft session has an id too, but
// only a stored one is worth printing.
func newPreviewView(pv *replay.Preview, sess *contract.Session, stored bool) previewView {
	v := previewView{
		Target: targetText(sess), Matching: pv.Matching, Total: pv.Total, First: pv.First, Last: pv.Last,
		ByType: make([]typePreviewView, 0, len(pv.ByType)), Sample: pv.Sample,
		EstimatedDurationSeconds: pv.EstimatedDuration.Seconds(), Pacing: pv.Pacing,
		estimated: pv.EstimatedDuration,
	}
	if stored {
		v.SessionID = sess.SessionID
	}
	if ix := pv.SortIndex; ix != nil {
		v.SortIndex = &sortIndexView{Covered: ix.Covered, Index: ix.Index, Recommended: ix.Recommended}
	}
	if v.Sample == nil {
		v.Sample = []json.RawMessage{}
	}
	for _, t := range pv.ByType {
		v.ByType = append(v.ByType, typePreviewView{EventType: t.EventType, Count: t.Count, Topic: t.Topic, TopicExists: t.TopicExists})
	}
	return v
}

func (v previewView) DetailSections(st *output.Styles) []output.Section {
	secs := []output.Section{{Title: v.title(), Fields: append(v.summaryFields(), v.indexFields(st)...)}}
	if len(v.ByType) > 0 {
		secs = append(secs, output.Section{Title: "Events by type", Table: typeTable{rows: v.ByType, topics: v.hasTopics()}})
	}
	if len(v.Sample) > 0 {
		secs = append(secs, output.Section{Title: fmt.Sprintf("Sample (first %d of %d events)", len(v.Sample), v.Matching), Fields: sampleFields(v.Sample)})
	}
	return secs
}

func (v previewView) title() string {
	if v.SessionID != "" {
		return "Preview of session " + v.SessionID
	}
	return "Preview"
}

func (v previewView) summaryFields() []output.Field {
	matching := strconv.FormatInt(v.Matching, 10)
	if v.Total < v.Matching {
		matching += fmt.Sprintf(" (%d replayed: max events)", v.Total)
	}
	return []output.Field{
		{Key: "Matching events", Value: matching},
		{Key: "First event", Value: orDash(absTime(v.First))},
		{Key: "Last event", Value: orDash(absTime(v.Last))},
		{Key: "Target", Value: v.Target},
		{Key: "Pacing", Value: v.Pacing},
		{Key: "Estimated duration", Value: v.estimateText()},
	}
}

// indexFields warns when no index serves the replay order: then every run
// and every reopen sorts all matching events before sending the first.
func (v previewView) indexFields(st *output.Styles) []output.Field {
	switch ix := v.SortIndex; {
	case ix == nil:
		return nil
	case ix.Covered:
		return []output.Field{{Key: "Replay order", Value: "served by index " + ix.Index}}
	default:
		return []output.Field{{Key: "Warning", Value: st.Yellow(fmt.Sprintf(
			"no index serves the replay order (timestamp, _id): MongoDB sorts every matching event before the first is sent; create %s on the events collection",
			ix.Recommended))}}
	}
}

// hasTopics: only Kafka targets have topics worth a column.
func (v previewView) hasTopics() bool {
	for _, t := range v.ByType {
		if t.Topic != "" {
			return true
		}
	}
	return false
}

// estimateText explains a zero estimate: unpaced replays run as fast as
// the servers allow, which no preview can know.
func (v previewView) estimateText() string {
	if v.estimated <= 0 && v.Pacing == "as fast as possible" {
		return "unknown: no pacing, as fast as the servers allow"
	}
	return output.Duration(v.estimated)
}

type typeTable struct {
	rows   []typePreviewView
	topics bool
}

func (t typeTable) TableHeader() []string {
	if !t.topics {
		return []string{"TYPE", "COUNT"}
	}
	return []string{"TYPE", "COUNT", "TOPIC", "EXISTS"}
}

func (t typeTable) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(t.rows))
	for _, r := range t.rows {
		if !t.topics {
			rows = append(rows, []string{r.EventType, strconv.FormatInt(r.Count, 10)})
			continue
		}
		exists := "-"
		if r.TopicExists != nil {
			exists = st.Green("yes")
			if !*r.TopicExists {
				exists = st.Yellow("no")
			}
		}
		rows = append(rows, []string{r.EventType, strconv.FormatInt(r.Count, 10), orDash(r.Topic), exists})
	}
	return rows
}

// sampleFields shows each sample event as indented JSON under "#n".
func sampleFields(sample []json.RawMessage) []output.Field {
	fields := make([]output.Field, len(sample))
	for i, raw := range sample {
		var buf bytes.Buffer
		text := string(raw)
		if err := json.Indent(&buf, raw, "", "  "); err == nil {
			text = buf.String()
		}
		fields[i] = output.Field{Key: "#" + strconv.Itoa(i+1), Value: text}
	}
	return fields
}
