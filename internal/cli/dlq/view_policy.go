package dlqcmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

// policyJSON is a retry policy under the contract's field names, with
// delays in seconds as the platform stores them.
type policyJSON struct {
	Strategy         string  `json:"strategy"`
	MaxRetries       int     `json:"max_retries"`
	BaseDelaySeconds float64 `json:"base_delay_seconds"`
	MaxDelaySeconds  float64 `json:"max_delay_seconds"`
	RetryMultiplier  float64 `json:"retry_multiplier"`
	JitterFactor     float64 `json:"jitter_factor"`
}

func newPolicyJSON(p dlq.Policy) policyJSON {
	return policyJSON{
		Strategy:         string(p.Strategy),
		MaxRetries:       p.MaxRetries,
		BaseDelaySeconds: p.BaseDelay.Seconds(),
		MaxDelaySeconds:  p.MaxDelay.Seconds(),
		RetryMultiplier:  p.Multiplier,
		JitterFactor:     p.Jitter,
	}
}

// fields renders the policy as detail lines.
func (p policyJSON) fields() []output.Field {
	return []output.Field{
		{Key: "Strategy", Value: p.Strategy},
		{Key: "Max retries", Value: strconv.Itoa(p.MaxRetries)},
		{Key: "Base delay", Value: seconds(p.BaseDelaySeconds)},
		{Key: "Max delay", Value: seconds(p.MaxDelaySeconds)},
		{Key: "Multiplier", Value: decimal(p.RetryMultiplier)},
		{Key: "Jitter", Value: decimal(p.JitterFactor)},
	}
}

// seconds shows a delay the way operators type it (30s, 5m, 1h); zero is
// "-" because immediate and manual policies have no delay.
func seconds(s float64) string {
	if s == 0 {
		return "-"
	}
	return output.Duration(time.Duration(s * float64(time.Second)))
}

func decimal(f float64) string {
	if f == 0 {
		return "-"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// resolvedJSON is the policy that applies to a topic and why.
type resolvedJSON struct {
	Topic     string     `json:"topic"`
	EventType string     `json:"event_type"`
	Policy    policyJSON `json:"policy"`
	Source    string     `json:"source"`
	Preset    string     `json:"preset,omitempty"`
	Override  bool       `json:"override"`
}

func newResolvedJSON(topic, eventType string, r *dlq.Resolved) resolvedJSON {
	return resolvedJSON{Topic: topic, EventType: eventType, Policy: newPolicyJSON(r.Policy),
		Source: r.Source, Preset: r.Preset, Override: r.Override}
}

func (r resolvedJSON) DetailSections(_ *output.Styles) []output.Section {
	head := []output.Field{{Key: "Topic", Value: r.Topic}, {Key: "Event type", Value: orDash(r.EventType)}}
	fields := append(r.Policy.fields(), output.Field{Key: "Source", Value: r.Source})
	return []output.Section{
		{Title: "Retry policy", Fields: append(head, fields...)},
	}
}

// presetJSON is one built-in preset with the event types it covers.
type presetJSON struct {
	Name       string   `json:"name"`
	policyJSON          // flattened: a preset is a policy with a name
	Categories []string `json:"categories"`
	EventTypes []string `json:"event_types"`
}

// overrideJSON is one persisted per-topic override.
type overrideJSON struct {
	Topic     string     `json:"topic"`
	Policy    policyJSON `json:"policy"`
	UpdatedAt time.Time  `json:"updated_at"`
	UpdatedBy string     `json:"updated_by"`
}

// policyListView is `dlq policy list`: presets, then overrides. Its JSON is
// the list commands' shape, one item per policy, told apart by kind.
type policyListView struct {
	Presets   []presetJSON
	Overrides []overrideJSON
	Skipped   []output.Skipped // override documents that could not be read

	now time.Time
}

// policyEntryJSON is one item of `dlq policy list -o json`: a preset (kind
// "preset", with name, categories and event types) or an override (kind
// "override", with topic and who set it when).
type policyEntryJSON struct {
	Kind  string `json:"kind"`
	Name  string `json:"name,omitempty"`
	Topic string `json:"topic,omitempty"`
	policyJSON
	Categories []string   `json:"categories,omitempty"`
	EventTypes []string   `json:"event_types,omitempty"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
	UpdatedBy  string     `json:"updated_by,omitempty"`
}

func (l policyListView) MarshalJSON() ([]byte, error) {
	items := make([]policyEntryJSON, 0, len(l.Presets)+len(l.Overrides))
	for _, p := range l.Presets {
		items = append(items, policyEntryJSON{Kind: "preset", Name: p.Name, policyJSON: p.policyJSON,
			Categories: p.Categories, EventTypes: p.EventTypes})
	}
	for _, o := range l.Overrides {
		at := o.UpdatedAt
		items = append(items, policyEntryJSON{Kind: "override", Topic: o.Topic, policyJSON: o.Policy,
			UpdatedAt: &at, UpdatedBy: o.UpdatedBy})
	}
	return output.MarshalJSON(output.NewListDoc(items, -1, l.Skipped))
}

func newPolicyListView(presets []dlq.Preset, overrides []dlq.Override, now time.Time) policyListView {
	l := policyListView{Presets: make([]presetJSON, 0, len(presets)), Overrides: make([]overrideJSON, 0, len(overrides)), now: now}
	for _, p := range presets {
		cats := make([]string, len(p.Categories))
		for i, c := range p.Categories {
			cats[i] = string(c)
		}
		l.Presets = append(l.Presets, presetJSON{Name: p.Name, policyJSON: newPolicyJSON(p.Policy),
			Categories: cats, EventTypes: append([]string{}, p.EventTypes...)})
	}
	for _, o := range overrides {
		l.Overrides = append(l.Overrides, overrideJSON{Topic: o.Topic, Policy: newPolicyJSON(o.Policy),
			UpdatedAt: o.UpdatedAt, UpdatedBy: o.UpdatedBy})
	}
	return l
}

func (l policyListView) DetailSections(_ *output.Styles) []output.Section {
	secs := []output.Section{{Title: "Presets", Table: presetTable(l.Presets)}}
	if len(l.Overrides) == 0 {
		return append(secs, output.Section{Title: "Overrides", Fields: []output.Field{
			{Key: "None", Value: "set one with 'replayctl dlq policy set TOPIC --strategy S'"}}})
	}
	return append(secs, output.Section{Title: "Overrides", Table: overrideTable{l.Overrides, l.now}})
}

type presetTable []presetJSON

func (t presetTable) TableHeader() []string {
	return []string{"NAME", "STRATEGY", "MAX RETRIES", "BASE", "MAX", "MULTIPLIER", "JITTER", "COVERS"}
}

func (t presetTable) TableRows(_ *output.Styles) [][]string {
	rows := make([][]string, 0, len(t))
	for _, p := range t {
		rows = append(rows, append(append([]string{p.Name}, policyCells(p.policyJSON)...), covers(p)))
	}
	return rows
}

// covers summarises what a preset applies to: its categories and how many
// event types that is (the full lists are in -o json).
func covers(p presetJSON) string {
	what := "all other types"
	if len(p.Categories) > 0 {
		what = strings.Join(p.Categories, ", ")
	}
	if len(p.EventTypes) == 0 {
		return what
	}
	return fmt.Sprintf("%s (%d types)", what, len(p.EventTypes))
}

func policyCells(p policyJSON) []string {
	return []string{p.Strategy, strconv.Itoa(p.MaxRetries), seconds(p.BaseDelaySeconds), seconds(p.MaxDelaySeconds),
		decimal(p.RetryMultiplier), decimal(p.JitterFactor)}
}

type overrideTable struct {
	rows []overrideJSON
	now  time.Time
}

func (t overrideTable) TableHeader() []string {
	return []string{"TOPIC", "STRATEGY", "MAX RETRIES", "BASE", "MAX", "MULTIPLIER", "JITTER", "UPDATED"}
}

func (t overrideTable) TableRows(_ *output.Styles) [][]string {
	rows := make([][]string, 0, len(t.rows))
	for _, o := range t.rows {
		updated := output.RelativeTime(t.now, o.UpdatedAt)
		if o.UpdatedBy != "" {
			updated += " by " + o.UpdatedBy
		}
		rows = append(rows, append(append([]string{o.Topic}, policyCells(o.Policy)...), updated))
	}
	return rows
}

// presetFor finds the preset that applies to an event type when no
// override exists: the one listing the type, else the one covering its
// category, else "default".
func presetFor(presets []dlq.Preset, eventType string) (dlq.Preset, bool) {
	cat := contract.CategoryOf(eventType)
	var byCat, def *dlq.Preset
	for i := range presets {
		p := &presets[i]
		for _, t := range p.EventTypes {
			if t == eventType {
				return *p, true
			}
		}
		for _, c := range p.Categories {
			if c == cat && byCat == nil {
				byCat = p
			}
		}
		if p.Name == "default" {
			def = p
		}
	}
	switch {
	case byCat != nil:
		return *byCat, true
	case def != nil:
		return *def, true
	}
	return dlq.Preset{}, false
}
