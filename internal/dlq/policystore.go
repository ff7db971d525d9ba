package dlq

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
)

// Override is a per-topic policy persisted in `dlq_retry_policies`.
type Override struct {
	Topic     string    `json:"topic" yaml:"topic"`
	Policy    Policy    `json:"policy" yaml:"policy"`
	UpdatedAt time.Time `json:"updated_at" yaml:"updated_at"`
	UpdatedBy string    `json:"updated_by" yaml:"updated_by"`
}

// Resolved is the policy that applies to a message, and why.
type Resolved struct {
	Policy   Policy `json:"policy" yaml:"policy"`
	Source   string `json:"source" yaml:"source"`
	Preset   string `json:"preset,omitempty" yaml:"preset,omitempty"`
	Override bool   `json:"override" yaml:"override"`
}

// overrideDoc is one small document per topic (_id = full topic name).
type overrideDoc struct {
	Topic     string     `bson:"_id"`
	Wire      policyWire `bson:",inline"`
	UpdatedAt time.Time  `bson:"updated_at"`
	UpdatedBy string     `bson:"updated_by"`
}

// ResolvePolicy returns the override for topic (the full topic name) if one
// exists, otherwise the preset of the event type's category.
func (m *Manager) ResolvePolicy(ctx context.Context, topic, eventType string) (*Resolved, error) {
	raw, err := m.Store.DLQPolicies().Get(ctx, topic)
	if err != nil {
		return nil, err
	}
	r := presetResolved(eventType)
	if raw != nil {
		var doc overrideDoc
		if err := bson.Unmarshal(raw, &doc); err != nil {
			// What ingestion and due retries apply (see loadOverrides), said
			// so that the operator knows the override is not in force.
			r.Source += fmt.Sprintf("; the override document for topic %s cannot be read: %v", topic, err)
			return &r, nil
		}
		return overrideResolved(doc), nil
	}
	return &r, nil
}

func overrideResolved(doc overrideDoc) *Resolved {
	return &Resolved{Policy: doc.Wire.policy(), Source: "override for topic " + doc.Topic, Override: true}
}

func presetResolved(eventType string) Resolved {
	p := presetFor(eventType)
	desc := "no event type"
	if eventType != "" {
		desc = fmt.Sprintf("%s event type %s", contract.CategoryOf(eventType), eventType)
	}
	return Resolved{Policy: p.Policy, Preset: p.Name, Source: fmt.Sprintf("preset %s (%s)", p.Name, desc)}
}

// Overrides lists every persisted override, by topic, and the override
// documents that cannot be read (their topics resolve to the presets).
func (m *Manager) Overrides(ctx context.Context) (store.Page[Override], error) {
	docs, skipped, err := m.loadOverrides(ctx)
	if err != nil {
		return store.Page[Override]{}, err
	}
	out := make([]Override, 0, len(docs))
	for _, d := range docs {
		out = append(out, Override{Topic: d.Topic, Policy: d.Wire.policy(), UpdatedAt: d.UpdatedAt.UTC(), UpdatedBy: d.UpdatedBy})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return store.Page[Override]{Items: out, Total: int64(len(out)), Skipped: skipped}, nil
}

// loadOverrides decodes the overrides one by one. An unreadable one is
// skipped and its topic resolves to the preset, as if unset: guessing a
// policy from a document replayctl cannot read would be worse, and it is
// reported (worker: once, counted) so an operator can fix it.
func (m *Manager) loadOverrides(ctx context.Context) ([]overrideDoc, []store.Skipped, error) {
	cur, err := m.Store.DLQPolicies().Find(ctx)
	if err != nil {
		return nil, nil, err
	}
	docs, skipped, err := store.DecodeEach[overrideDoc](ctx, cur, PoliciesCollection, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("list retry policy overrides: %w", err)
	}
	return docs, skipped, nil
}

// policyResolver resolves many messages against one snapshot of overrides,
// so a batch costs one small read instead of one per message.
type policyResolver map[string]overrideDoc

func (m *Manager) newResolver(ctx context.Context) (policyResolver, error) {
	docs, skipped, err := m.loadOverrides(ctx)
	if err != nil {
		return nil, err
	}
	m.logSkipped(skipped)
	r := make(policyResolver, len(docs))
	for _, d := range docs {
		r[d.Topic] = d
	}
	return r, nil
}

func (r policyResolver) resolve(topic, eventType string) Resolved {
	if d, ok := r[topic]; ok {
		return *overrideResolved(d)
	}
	return presetResolved(eventType)
}

// SetPolicy validates p and persists it as the override for topic.
func (m *Manager) SetPolicy(ctx context.Context, topic string, p Policy) error {
	topic = strings.TrimSpace(topic)
	if err := validateTopicName(topic); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	doc := overrideDoc{Topic: topic, Wire: p.wire(), UpdatedAt: m.nowMs(), UpdatedBy: m.owner()}
	return m.Store.DLQPolicies().Put(ctx, topic, doc)
}

// UnsetPolicy removes the override for topic; a missing one is exit 3.
func (m *Manager) UnsetPolicy(ctx context.Context, topic string) error {
	found, err := m.Store.DLQPolicies().Delete(ctx, topic)
	if err != nil {
		return err
	}
	if !found {
		return fault.New(fault.NotFound, &NoOverrideError{Topic: topic})
	}
	return nil
}

// validateTopicName applies Kafka's topic name rules.
func validateTopicName(t string) error {
	if t == "" || t == "." || t == ".." || len(t) > 249 {
		return fault.Invalidf("invalid topic name %q", t)
	}
	for _, c := range t {
		ok := c == '.' || c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if !ok {
			return fault.Invalidf("invalid topic name %q: only letters, digits, '.', '_' and '-' are allowed", t)
		}
	}
	return nil
}

// NoOverrideError is a topic without a retry policy override.
type NoOverrideError struct{ Topic string }

func (e *NoOverrideError) Error() string {
	return fmt.Sprintf("no retry policy override for topic %q", e.Topic)
}
