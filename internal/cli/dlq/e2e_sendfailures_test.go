package dlqcmd

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// `dlq show` tells the operator how often replayctl failed to send a
// message (replayctl.send_failures), in the table and in -o json; a value
// other software stored there that is not a count is reported as a problem
// without failing the command, and `dlq list -o json` carries the count.
func TestE2EShowSendFailures(t *testing.T) {
	e := newEnv(t)
	spec := func(id string) msgSpec {
		return msgSpec{id: id, typ: "execution_failed", status: "scheduled", err: "TimeoutError: no answer", failedAgo: time.Hour}
	}
	counted, foreign, never := "5e0d0000-sent-4000-8000-000000000001", "5e0d0000-sent-4000-8000-000000000002", "5e0d0000-sent-4000-8000-000000000003"
	docs := []any{
		setField(setField(e.doc(spec(counted)), "replayctl", bson.D{{Key: "send_failures", Value: int32(3)}}),
			"last_error", "send to topic x failed permanently: UNKNOWN_TOPIC_OR_PARTITION"),
		setField(e.doc(spec(foreign)), "replayctl", bson.D{{Key: "send_failures", Value: "three"}}),
		e.doc(spec(never)),
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if _, err := e.st.DLQ.Collection().InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}

	sendFailuresLine := regexp.MustCompile(`(?m)^Send failures:\s+(\S+)$`)
	for id, want := range map[string]string{counted: "3", never: "-", foreign: "-"} {
		out := e.ok("show", id)
		if m := sendFailuresLine.FindStringSubmatch(out); m == nil || m[1] != want {
			t.Errorf("show %s: Send failures line %q, want %s:\n%s", id, m, want, out)
		}
	}

	type showJSON struct {
		Message struct {
			SendFailures *int64 `json:"send_failures"`
		} `json:"message"`
		InvalidFields []struct {
			Field string `json:"field"`
			Error string `json:"error"`
		} `json:"invalid_fields"`
	}
	var got showJSON
	e.okJSON(&got, "show", counted)
	if got.Message.SendFailures == nil || *got.Message.SendFailures != 3 || len(got.InvalidFields) != 0 {
		t.Errorf("show %s -o json: send_failures %v, invalid_fields %+v; want 3 and none", counted, got.Message.SendFailures, got.InvalidFields)
	}

	got = showJSON{}
	e.okJSON(&got, "show", foreign)
	if got.Message.SendFailures != nil || len(got.InvalidFields) != 1 || got.InvalidFields[0].Field != "replayctl.send_failures" ||
		!strings.Contains(got.InvalidFields[0].Error, "string") {
		t.Errorf("show %s -o json: send_failures %v, invalid_fields %+v; want none and the bad field", foreign, got.Message.SendFailures, got.InvalidFields)
	}
	if out := e.ok("show", foreign); !strings.Contains(out, "Problems") || !strings.Contains(out, "replayctl.send_failures") {
		t.Errorf("show %s does not report the bad field:\n%s", foreign, out)
	}

	var items []struct {
		Event struct {
			EventID string `json:"event_id"`
		} `json:"event"`
		SendFailures *int64 `json:"send_failures"`
	}
	e.okItems(&items, "list")
	seen := 0
	for _, it := range items {
		switch it.Event.EventID {
		case counted:
			seen++
			if it.SendFailures == nil || *it.SendFailures != 3 {
				t.Errorf("list -o json: %s send_failures %v, want 3", counted, it.SendFailures)
			}
		case never, foreign:
			seen++
			if it.SendFailures != nil {
				t.Errorf("list -o json: %s send_failures %v, want absent", it.Event.EventID, *it.SendFailures)
			}
		}
	}
	if seen != 3 {
		t.Errorf("list -o json listed %d of the 3 messages", seen)
	}
}
