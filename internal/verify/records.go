package verify

import (
	"bytes"
	"encoding/json"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/replay"
)

// eventIDOf reads the event id from a record value or a JSON line: the
// top-level event_id of the event object (the record key is the aggregate
// id when the event has one, so it cannot name the event).
func eventIDOf(value []byte) (string, bool) {
	var v struct {
		EventID *string `json:"event_id"`
	}
	if err := json.Unmarshal(value, &v); err != nil || v.EventID == nil || *v.EventID == "" {
		return "", false
	}
	return *v.EventID, true
}

// fromSession reports whether a record carries the session's provenance header.
func fromSession(r *kgo.Record, sessionID []byte) bool {
	for _, h := range r.Headers {
		if h.Key == replay.HeaderSessionID {
			return bytes.Equal(h.Value, sessionID)
		}
	}
	return false
}

// record counts one Kafka record of the session. Its value is what
// replayctl produced (valid JSON), so the id is scanned for, and decoded
// only when the scan cannot tell.
func (t *tally) record(value []byte) {
	id, ok, sure := scanEventID(value)
	if !sure {
		id, ok = eventIDOf(value)
	}
	if !ok {
		t.unreadableRecord()
		return
	}
	t.deliver(id)
}

// line counts one line of a file target, decoded in full: a line that is
// not valid JSON (cut short, edited) is unreadable.
func (t *tally) line(value []byte) {
	id, ok := eventIDOf(value)
	if !ok {
		t.unreadableRecord()
		return
	}
	t.deliver(id)
}
