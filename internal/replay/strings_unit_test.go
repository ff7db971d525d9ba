package replay

import (
	"errors"
	"testing"
	"time"
	"unsafe"

	"github.com/integr8scode/replayctl/internal/contract"
)

// What outlives an event (an error entry's event id, the metrics' type
// labels) is copied out of the block its text shares with other events'
// (contract.Strings), so it does not keep the block alive.
func TestLongLivedStringsAreCopiedOutOfTheEventsBlocks(t *testing.T) {
	block := "event-1execution_requested" // as if cut from a shared block
	id, typ := block[:7], block[7:]
	e := sessionError(time.Now(), errors.New("boom"), "publish_error", id)
	if *e.EventID != id || unsafe.StringData(*e.EventID) == unsafe.StringData(id) {
		t.Fatalf("error entry's event id %q shares the event's bytes", *e.EventID)
	}

	tr := newTracker()
	seq := tr.add(position{}, typ)
	tr.complete(seq, outcomeReplayed, nil)
	dst := newTypeCounts()
	tr.takeCounts(dst)
	for k, v := range dst.replayed {
		if k != typ || v != 1 || unsafe.StringData(k) == unsafe.StringData(typ) {
			t.Fatalf("metrics count %q=%d shares the event's bytes (or is wrong)", k, v)
		}
	}
	if len(dst.replayed) != 1 {
		t.Fatalf("counts %v, want one type", dst.replayed)
	}

	k := newKafkaSink(nil, &contract.Session{SessionID: "s", ReplayID: "r"}, "", nil)
	m := &message{}
	m.ev.EventID, m.ev.EventType = id, typ
	k.record(m)
	for key, route := range k.types {
		if key != typ || unsafe.StringData(key) == unsafe.StringData(typ) {
			t.Fatalf("the sink's topic for %q is kept under the event's bytes", key)
		}
		if route.topic != typ || unsafe.StringData(route.topic) == unsafe.StringData(typ) {
			t.Fatalf("the sink's topic %q (no prefix) shares the event's bytes", route.topic)
		}
	}
}
