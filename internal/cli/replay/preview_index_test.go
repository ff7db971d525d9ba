package replaycmd

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/exitcode"
)

type previewIndexJSON struct {
	SortIndex *struct {
		Covered     bool   `json:"covered"`
		Index       string `json:"index"`
		Recommended string `json:"recommended"`
	} `json:"sort_index"`
}

func (e *testEnv) createIndex(keys bson.D) {
	e.t.Helper()
	_, err := e.store.Events.Collection().Indexes().CreateOne(context.Background(), mongo.IndexModel{Keys: keys})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *testEnv) previewIndex(args ...string) (table string, js previewIndexJSON) {
	e.t.Helper()
	args = append([]string{"preview", "--target", "file", "--out", "x.jsonl", "--sample", "0"}, args...)
	table = e.run(args...).Want(e.t, exitcode.OK).Stdout
	e.OKJSON(&js, replayArgs(args)...)
	if js.SortIndex == nil {
		e.t.Fatalf("preview %v: no sort_index in JSON", args)
	}
	return table, js
}

// Without an index on (timestamp, _id) every replay sorts all matching
// events before sending one (and fails on MongoDB past 100 MB without
// allowDiskUse): preview says so, and says nothing once the index exists.
func TestPreviewWarnsWhenNoIndexServesTheReplayOrder(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(5, "pod_running")
	// The platform's own index: sorted by timestamp within a type, but not
	// by _id, so MongoDB still sorts.
	e.createIndex(bson.D{{Key: "event_type", Value: 1}, {Key: "timestamp", Value: 1}})

	table, js := e.previewIndex("--type", "pod_running")
	if !strings.Contains(table, "Warning:") || !strings.Contains(table, "{timestamp: 1, _id: 1}") {
		t.Errorf("no warning naming the recommended index:\n%s", table)
	}
	if js.SortIndex.Covered || js.SortIndex.Recommended != "{timestamp: 1, _id: 1}" {
		t.Errorf("sort_index = %+v, want not covered with the recommendation", *js.SortIndex)
	}

	// (event_type, timestamp, _id) serves a one-type filter, not an open one.
	e.createIndex(bson.D{{Key: "event_type", Value: 1}, {Key: "timestamp", Value: 1}, {Key: "_id", Value: 1}})
	if table, js = e.previewIndex("--type", "pod_running"); !js.SortIndex.Covered || strings.Contains(table, "Warning:") {
		t.Errorf("one type, (event_type, timestamp, _id): sort_index %+v\n%s", *js.SortIndex, table)
	}
	if _, js = e.previewIndex(); js.SortIndex.Covered {
		t.Errorf("no filter, (event_type, timestamp, _id) counted as covering: %+v", *js.SortIndex)
	}

	e.createIndex(bson.D{{Key: "timestamp", Value: 1}, {Key: "_id", Value: 1}})
	table, js = e.previewIndex()
	if strings.Contains(table, "Warning:") || !js.SortIndex.Covered || js.SortIndex.Index != "timestamp_1__id_1" {
		t.Errorf("with {timestamp: 1, _id: 1}: sort_index %+v\n%s", *js.SortIndex, table)
	}
	if !strings.Contains(table, "served by index timestamp_1__id_1") {
		t.Errorf("table does not name the index:\n%s", table)
	}
}
