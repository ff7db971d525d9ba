package dlq

import (
	"context"
	"fmt"
	"strings"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
)

// PlanByIDs resolves ids (or unique prefixes) into a plan. Unknown ids are
// one exit-3 error naming them; terminal messages are refused, not errors.
func (m *Manager) PlanByIDs(ctx context.Context, idsOrPrefixes []string, toTopic string) (*Plan, error) {
	if err := checkToTopic(toTopic); err != nil {
		return nil, err
	}
	ids := dedupe(idsOrPrefixes)
	if len(ids) == 0 {
		return nil, fault.Invalidf("no DLQ message ids given")
	}
	msgs, err := m.resolveIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return buildPlan(msgs, toTopic), nil
}

// PlanByFilter selects messages by filter (newest failure first, honouring
// Limit and Offset) into a plan.
func (m *Manager) PlanByFilter(ctx context.Context, f ListFilter, toTopic string) (*Plan, error) {
	if err := checkToTopic(toTopic); err != nil {
		return nil, err
	}
	page, err := m.ListPage(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("select DLQ messages: %w", err)
	}
	p := buildPlan(page.Items, toTopic)
	p.Skipped = page.Skipped
	return p, nil
}

func checkToTopic(t string) error {
	if t == "" {
		return nil
	}
	return validateTopicName(t)
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// buildPlan splits messages into eligible and refused (terminal), dropping
// repeats (two prefixes may name one message).
func buildPlan(msgs []contract.DLQMessage, toTopic string) *Plan {
	p := &Plan{ByTopic: map[string]int{}, ToTopic: toTopic}
	seen := make(map[string]bool, len(msgs))
	for i := range msgs {
		msg := &msgs[i]
		id := msg.EventID()
		if seen[id] {
			continue
		}
		seen[id] = true
		if msg.Status.Terminal() {
			p.Refused = append(p.Refused, Refusal{EventID: id, Status: msg.Status, Reason: fmt.Sprintf("status %s is terminal", msg.Status)})
			continue
		}
		p.Messages = append(p.Messages, *msg)
		p.ByTopic[topicFor(msg, toTopic)]++
	}
	return p
}
