package replaycmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// Ended sessions cleanup cannot read are never deleted, and are reported:
// one stderr line in a table, `skipped` in JSON, details with
// --show-invalid.
func TestCleanupReportsUnreadableSessions(t *testing.T) {
	e := newTestEnv(t)
	old := time.Now().UTC().Add(-10 * 24 * time.Hour).Truncate(time.Millisecond)
	e.insertSessions(platformSession("e0000001-0000-4000-8000-000000000001", contract.StatusCompleted, old))
	bad := []bson.ObjectID{bson.NewObjectID(), bson.NewObjectID()}
	docs := []any{
		bson.D{{Key: "_id", Value: bad[0]}, {Key: "session_id", Value: "foreign-old-config"}, {Key: "status", Value: "completed"},
			{Key: "config", Value: "replay everything"}, {Key: "created_at", Value: old}},
		bson.D{{Key: "_id", Value: bad[1]}, {Key: "status", Value: "failed"}, {Key: "created_at", Value: old},
			{Key: "config", Value: bson.D{{Key: "replay_type", Value: "query"}, {Key: "target", Value: "kafka"}}}},
	}
	if _, err := e.store.Sessions.Collection().InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}

	dry := e.run("cleanup", "--older-than", "7d", "--dry-run").Want(t, 0)
	if !strings.Contains(dry.Stdout, "Would delete 1 ended session(s)") ||
		!strings.Contains(dry.Stderr, "2 documents could not be read and were skipped; see --show-invalid") {
		t.Errorf("dry run:\n%s\nstderr:\n%s", dry.Stdout, dry.Stderr)
	}
	details := e.run("cleanup", "--older-than", "7d", "--dry-run", "--show-invalid").Want(t, 0)
	for _, id := range bad {
		if !strings.Contains(details.Stderr, "replay_sessions "+id.Hex()+": ") {
			t.Errorf("--show-invalid lacks %s:\n%s", id.Hex(), details.Stderr)
		}
	}

	var v struct {
		Count   int `json:"count"`
		Skipped []struct {
			ID         string `json:"_id"`
			Collection string `json:"collection"`
			Error      string `json:"error"`
		} `json:"skipped"`
	}
	js := e.json("cleanup", "--older-than", "7d", "--yes").Want(t, 0)
	decode(t, js.Stdout, &v)
	got := map[string]bool{}
	for _, s := range v.Skipped {
		if s.Collection != "replay_sessions" || s.Error == "" {
			t.Errorf("skipped entry %+v", s)
		}
		got[s.ID] = true
	}
	if v.Count != 1 || len(got) != 2 || !got[bad[0].Hex()] || !got[bad[1].Hex()] {
		t.Errorf("cleanup -o json = %s", js.Stdout)
	}
	n, err := e.store.Sessions.Collection().CountDocuments(context.Background(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bad}}}})
	if err != nil || n != 2 {
		t.Errorf("unreadable sessions left: %d, %v; want both kept", n, err)
	}
	// Nothing readable is left to delete; the unreadable ones are still told.
	again := e.run("cleanup", "--older-than", "7d", "--yes").Want(t, 0)
	if !strings.Contains(again.Stdout, "No ended sessions") || !strings.Contains(again.Stderr, "2 documents could not be read") {
		t.Errorf("second cleanup:\n%s\nstderr:\n%s", again.Stdout, again.Stderr)
	}
}
