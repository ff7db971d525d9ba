package replaycmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// foreignSessions inserts three replay_sessions documents another program
// wrote with wrong types: config a string, status a number, no session_id.
// It returns the _id (hex) of each, in that order.
func (e *testEnv) foreignSessions(status string) (configStr, statusNum, noID string) {
	e.t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	ids := []bson.ObjectID{bson.NewObjectID(), bson.NewObjectID(), bson.NewObjectID()}
	docs := []any{
		bson.D{{Key: "_id", Value: ids[0]}, {Key: "session_id", Value: "foreign-config-string"}, {Key: "status", Value: status},
			{Key: "config", Value: "replay everything"}, {Key: "created_at", Value: now}, {Key: "replayed_events", Value: int32(7)}},
		bson.D{{Key: "_id", Value: ids[1]}, {Key: "session_id", Value: "foreign-status-number"}, {Key: "status", Value: int32(3)},
			{Key: "config", Value: bson.D{{Key: "replay_type", Value: "query"}, {Key: "target", Value: "kafka"}}}, {Key: "created_at", Value: now}},
		bson.D{{Key: "_id", Value: ids[2]}, {Key: "status", Value: status}, {Key: "created_at", Value: now},
			{Key: "config", Value: bson.D{{Key: "replay_type", Value: "query"}, {Key: "target", Value: "kafka"}}}},
	}
	if _, err := e.store.Sessions.Collection().InsertMany(context.Background(), docs); err != nil {
		e.t.Fatal(err)
	}
	return ids[0].Hex(), ids[1].Hex(), ids[2].Hex()
}

// Foreign documents in replay_sessions are skipped and reported; the good
// session is still listed, in every output format, and the exit code is 0.
func TestListSkipsForeignSessions(t *testing.T) {
	e := newTestEnv(t)
	a, b, c := e.foreignSessions("created")
	good := firstLine(e.run("create", "--type", "user_login", "--dry-run").Want(t, 0).Stdout)

	tbl := e.run("list").Want(t, 0)
	if !strings.Contains(tbl.Stdout, good) || strings.Contains(tbl.Stdout, "foreign") {
		t.Errorf("table lists:\n%s", tbl.Stdout)
	}
	if !strings.Contains(tbl.Stderr, "3 documents could not be read and were skipped; see --show-invalid") {
		t.Errorf("stderr lacks the skipped line:\n%s", tbl.Stderr)
	}
	details := e.run("list", "--show-invalid").Want(t, 0)
	for _, id := range []string{a, b, c} {
		if !strings.Contains(details.Stderr, "replay_sessions "+id+": ") {
			t.Errorf("--show-invalid lacks %s:\n%s", id, details.Stderr)
		}
	}

	var doc struct {
		Items []struct {
			SessionID string `json:"session_id"`
		} `json:"items"`
		Total   int64 `json:"total"`
		Skipped []struct {
			ID         string `json:"_id"`
			Collection string `json:"collection"`
			Error      string `json:"error"`
		} `json:"skipped"`
	}
	js := e.json("list").Want(t, 0)
	decode(t, js.Stdout, &doc)
	if len(doc.Items) != 1 || doc.Items[0].SessionID != good || doc.Total != 1 {
		t.Errorf("items %+v total %d", doc.Items, doc.Total)
	}
	errs := map[string]string{}
	for _, s := range doc.Skipped {
		if s.Collection != "replay_sessions" {
			t.Errorf("skipped %+v names the wrong collection", s)
		}
		errs[s.ID] = s.Error
	}
	if !strings.Contains(errs[a], "config") || !strings.Contains(errs[b], "status") || !strings.Contains(errs[c], "session_id") {
		t.Errorf("skipped errors do not name the bad field: %v", errs)
	}
	if js.Stderr != "" {
		t.Errorf("-o json wrote to stderr: %q", js.Stderr)
	}
}

// show of a foreign document prints what it can, names the bad fields and
// exits 0.
func TestShowForeignSession(t *testing.T) {
	e := newTestEnv(t)
	e.foreignSessions("created")

	out := e.run("show", "foreign-config").Want(t, 0)
	for _, want := range []string{"foreign-config-string", "Problems", "config", "cannot decode string"} {
		if !strings.Contains(out.Stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, out.Stdout)
		}
	}
	var info struct {
		Session struct {
			SessionID      string `json:"session_id"`
			ReplayedEvents int64  `json:"replayed_events"`
		} `json:"session"`
		InvalidFields []struct {
			Field string `json:"field"`
			Error string `json:"error"`
		} `json:"invalid_fields"`
	}
	js := e.json("show", "foreign-status").Want(t, 0)
	if err := json.Unmarshal([]byte(js.Stdout), &info); err != nil {
		t.Fatalf("%v\n%s", err, js.Stdout)
	}
	if info.Session.SessionID != "foreign-status-number" || len(info.InvalidFields) != 1 || info.InvalidFields[0].Field != "status" {
		t.Errorf("show -o json = %s", js.Stdout)
	}
}

// A document without a session_id is shown by the _id the skipped list
// names.
func TestShowForeignSessionByObjectID(t *testing.T) {
	e := newTestEnv(t)
	_, _, noID := e.foreignSessions("created")
	out := e.run("show", noID).Want(t, 0)
	if !strings.Contains(out.Stdout, "session_id") || !strings.Contains(out.Stdout, "missing") {
		t.Errorf("show by _id should name the missing session_id:\n%s", out.Stdout)
	}
}
