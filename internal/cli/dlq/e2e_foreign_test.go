package dlqcmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// setField replaces (or adds) one top-level field of a document.
func setField(d bson.D, key string, v any) bson.D {
	for i := range d {
		if d[i].Key == key {
			d[i].Value = v
			return d
		}
	}
	return append(d, bson.E{Key: key, Value: v})
}

// foreignMessages stores one good message and three that other software
// wrote with wrong types: event a string, failed_at a string, retry_count a
// string. It returns the good event id and the bad documents' _ids.
func (e *env) foreignMessages() (good string, eventString, failedAtString, retryString bson.ObjectID) {
	e.t.Helper()
	good = "0f0f0f0f-good-4000-8000-000000000001"
	eventString, failedAtString, retryString = bson.NewObjectID(), bson.NewObjectID(), bson.NewObjectID()
	spec := func(id string) msgSpec {
		return msgSpec{id: id, typ: "execution_failed", status: "pending", err: "TimeoutError: no answer", failedAgo: time.Hour}
	}
	docs := []any{
		e.doc(spec(good)),
		setField(setField(e.doc(spec("bad-event-0000")), "_id", eventString), "event", "not an event"),
		setField(setField(e.doc(spec("bad-failed-at-0000")), "_id", failedAtString), "failed_at", "yesterday"),
		setField(setField(e.doc(spec("bad-retries-0000")), "_id", retryString), "retry_count", "three"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if _, err := e.st.DLQ.Collection().InsertMany(ctx, docs); err != nil {
		e.t.Fatal(err)
	}
	return good, eventString, failedAtString, retryString
}

type skippedOut struct {
	ID         string `json:"_id"`
	Collection string `json:"collection"`
	Error      string `json:"error"`
}

// Every DLQ read command answers with foreign documents present: lists skip
// and report them, summaries count what they can read, show prints what can
// be read of one and names its bad fields.
func TestE2EForeignDocuments(t *testing.T) {
	e := newEnv(t)
	good, evStr, failedStr, retryStr := e.foreignMessages()

	var list struct {
		listJSON
		Skipped []skippedOut `json:"skipped"`
	}
	e.okJSON(&list, "list")
	if list.ids() != good || list.Total != 1 {
		t.Errorf("list items %s total %d, want only %s", list.ids(), list.Total, good)
	}
	errs := map[string]string{}
	for _, s := range list.Skipped {
		if s.Collection != "dlq_messages" {
			t.Errorf("skipped %+v names the wrong collection", s)
		}
		errs[s.ID] = s.Error
	}
	if !strings.Contains(errs[evStr.Hex()], "string") || !strings.Contains(errs[failedStr.Hex()], "yesterday") ||
		!strings.Contains(errs[retryStr.Hex()], "string") || len(errs) != 3 {
		t.Errorf("skipped: %+v", list.Skipped)
	}

	r := e.run(runOpts{tty: true}, "list")
	if r.Err != nil || !strings.Contains(r.Stderr, "3 documents could not be read and were skipped; see --show-invalid") {
		t.Errorf("table list: %v\nstderr: %s", r.Err, r.Stderr)
	}
	r = e.run(runOpts{}, "list", "--show-invalid")
	if r.Err != nil || !strings.Contains(r.Stderr, "dlq_messages "+retryStr.Hex()+": ") {
		t.Errorf("list --show-invalid: %v\nstderr: %s", r.Err, r.Stderr)
	}

	var summary struct {
		Items   []map[string]any `json:"items"`
		Total   int64            `json:"total"`
		Skipped []skippedOut     `json:"skipped"`
	}
	for _, cmd := range []string{"topics", "errors"} {
		e.okJSON(&summary, cmd)
		if len(summary.Items) != 1 || summary.Total != 1 || summary.Skipped == nil {
			t.Errorf("%s -o json: %+v", cmd, summary)
		}
	}
	e.okJSON(&summary, "policy", "list")
	if summary.Total != 4 || summary.Skipped == nil {
		t.Errorf("policy list -o json: %+v", summary)
	}

	show := e.ok("show", "bad-retries")
	for _, want := range []string{"Problems", "retry_count", "bad-retries-0000", "execution_failed"} {
		if !strings.Contains(show, want) {
			t.Errorf("show of a message with a string retry_count lacks %q:\n%s", want, show)
		}
	}
	var detail struct {
		Message struct {
			Error string `json:"error"`
		} `json:"message"`
		InvalidFields []struct {
			Field string `json:"field"`
		} `json:"invalid_fields"`
	}
	e.okJSON(&detail, "show", evStr.Hex())
	if len(detail.InvalidFields) != 1 || detail.InvalidFields[0].Field != "event" || detail.Message.Error != "TimeoutError: no answer" {
		t.Errorf("show by _id of a message whose event is a string: %+v", detail)
	}
}
