package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/output"
)

// messageContent is the message detail, scrolled by the viewport: the
// message, its timeline, its policy, its headers, its edits and its event.
func (m *Model) messageContent() string {
	d := m.message
	if d == nil {
		return "  " + m.st.Faint("loading…")
	}
	msg, now := d.Message, m.opts.Now()
	var lines []string
	field := func(name, value string) { lines = append(lines, fmt.Sprintf("  %-12s%s", name, value)) }
	section := func(name string) { lines = append(lines, "", m.st.Bold(name)) }
	field("Type", msg.EventType())
	field("Topic", msg.OriginalTopic)
	field("Status", m.st.Status(string(msg.Status))+fmt.Sprintf(" · retried %d times", msg.RetryCount))
	field("Error", oneLine(msg.Error))
	if msg.LastError != nil && *msg.LastError != "" {
		field("Last error", oneLine(*msg.LastError))
	}
	if msg.ProducerID != "" {
		field("Producer", msg.ProducerID)
	}
	section("Timeline")
	when := func(name string, t *time.Time) {
		if t != nil && !t.IsZero() {
			field(name, stamp(now, *t))
		}
	}
	when("Failed", &msg.FailedAt)
	when("Stored", &msg.CreatedAt)
	when("Next retry", msg.NextRetryAt)
	when("Retried", msg.RetriedAt)
	when("Discarded", msg.DiscardedAt)
	if msg.DiscardReason != nil {
		field("Reason", *msg.DiscardReason)
	}
	when("Updated", msg.LastUpdated)
	if p := d.Policy; p != nil {
		section("Policy")
		src := p.Source
		if p.Preset != "" {
			src += " " + p.Preset
		}
		field("Strategy", fmt.Sprintf("%s (%s)", p.Policy.Strategy, src))
		field("Retries", fmt.Sprintf("at most %d · delay %s to %s, ×%g", p.Policy.MaxRetries,
			output.Duration(p.Policy.BaseDelay), output.Duration(p.Policy.MaxDelay), p.Policy.Multiplier))
	}
	section("Headers")
	if len(msg.Headers) == 0 {
		lines = append(lines, "  "+m.st.Faint("none"))
	}
	for _, k := range slices.Sorted(maps.Keys(msg.Headers)) {
		lines = append(lines, "  "+k+": "+msg.Headers[k])
	}
	if d.Edits != nil && len(d.Edits.Edits) > 0 {
		section(fmt.Sprintf("Edits (%d)", len(d.Edits.Edits)))
		for _, e := range d.Edits.Edits {
			paths := make([]string, 0, len(e.Changes))
			for _, c := range e.Changes {
				paths = append(paths, c.Path)
			}
			lines = append(lines, fmt.Sprintf("  %s by %s: %s (%s)", e.At.UTC().Format(time.DateTime), e.Who, e.Reason, strings.Join(paths, ", ")))
		}
	}
	section("Event")
	for _, l := range strings.Split(m.eventJSON(msg.Event), "\n") {
		lines = append(lines, "  "+l)
	}
	return strings.Join(lines, "\n")
}

// eventJSON is the event as indented relaxed extended JSON, as `dlq show`
// prints it, with keys and strings coloured when colour is on.
func (m *Model) eventJSON(raw bson.Raw) string {
	if len(raw) == 0 {
		return m.st.Faint("(no event)")
	}
	js, err := bson.MarshalExtJSON(raw, false, false)
	if err != nil {
		return m.st.Red("unreadable event: " + err.Error())
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, js, "", "  "); err != nil {
		return string(js)
	}
	if !m.st.Enabled() {
		return buf.String()
	}
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = m.highlight(l)
	}
	return strings.Join(lines, "\n")
}

var (
	jsonKey    = regexp.MustCompile(`^(\s*)("(?:[^"\\]|\\.)*")(:)`)
	jsonString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	jsonScalar = regexp.MustCompile(`\b(true|false|null|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\b`)
)

// highlight colours one line of indented JSON: keys blue, strings green,
// numbers and literals cyan.
func (m *Model) highlight(line string) string {
	prefix := ""
	if k := jsonKey.FindStringSubmatchIndex(line); k != nil {
		prefix = line[:k[2]] + m.st.Blue(line[k[4]:k[5]]) + line[k[6]:k[7]]
		line = line[k[1]:]
	}
	if jsonString.MatchString(line) {
		return prefix + jsonString.ReplaceAllStringFunc(line, m.st.Green)
	}
	return prefix + jsonScalar.ReplaceAllStringFunc(line, m.st.Cyan)
}
