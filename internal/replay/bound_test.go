package replay

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/integr8scode/replayctl/internal/uuid"
)

// The run bounds its selection by insertion time, not by event time: an
// event stored before the first start is replayed whatever its timestamp,
// and events stored while the session is paused are not, whatever theirs.
func TestRunReplaysWhatWasStoredAtFirstStartOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(60, "notification_sent")
	future := seeded{id: uuid.New(), typ: "notification_sent", ts: time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)}
	e.insertAt(bson.NewObjectID(), future)
	a := e.service("runner-a")
	sess := e.createStarted(a, Spec{Rate: 40})
	ra := startRun(t, a, sess.SessionID, RunOptions{})
	testenv.Eventually(t, 30*time.Second, func() bool { return ra.replayed.Load() >= 5 }, "the run to get going")
	if _, err := a.Pause(ctxT(t, 30*time.Second), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	if res := ra.wait(t); res.Outcome != OutcomePaused {
		t.Fatalf("first run: %s %+v", res.Outcome, res.Session)
	}
	// Stored after the first start (ObjectIDs a second past it: the bound
	// is the first start's second), one stamped in the past, one ahead.
	later := bson.NewObjectIDFromTimestamp(time.Now().Add(2 * time.Second))
	e.insertAt(later, seeded{id: "late-past-" + uuid.New(), typ: "notification_sent", ts: events[len(events)-1].ts.Add(time.Minute)})
	e.insertAt(bson.NewObjectIDFromTimestamp(time.Now().Add(3*time.Second)), seeded{id: "late-future-" + uuid.New(), typ: "notification_sent", ts: future.ts.Add(time.Minute)})
	if _, err := a.Resume(ctxT(t, time.Minute), sess.SessionID); err != nil {
		t.Fatal(err)
	}
	res := mustRun(t, a, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.ReplayedEvents != 61 || res.Session.TotalEvents != 61 {
		t.Fatalf("want 61 of 61 replayed: %s replayed %d of %d", res.Outcome, res.Session.ReplayedEvents, res.Session.TotalEvents)
	}
	want := append(idsOf(events), future.id)
	testenv.AssertEachOnce(t, "notification_sent", want, eventIDs(t, consume(t, 61, e.topics("notification_sent")...)))
}

// total_events counts the same bounded selection the run reads.
func TestTotalEventsCountsTheBoundedSelection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(4, "notification_sent")
	e.insertAt(bson.NewObjectIDFromTimestamp(time.Now().Add(time.Hour)), seeded{id: "later-" + uuid.New(), typ: "notification_sent", ts: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)})
	a := e.service("runner-a")
	sess := e.createStarted(a, Spec{DryRun: true})
	res := mustRun(t, a, sess.SessionID, RunOptions{})
	if res.Outcome != OutcomeCompleted || res.Session.TotalEvents != 4 || res.Session.ReplayedEvents != 4 {
		t.Fatalf("want 4 of 4: %s replayed %d of %d", res.Outcome, res.Session.ReplayedEvents, res.Session.TotalEvents)
	}
}

// insertAt stores ev with the given _id, as a client inserting it then would.
func (e *env) insertAt(id bson.ObjectID, ev seeded) {
	e.t.Helper()
	doc := bson.D{
		{Key: "_id", Value: id}, {Key: "event_id", Value: ev.id}, {Key: "event_type", Value: ev.typ}, {Key: "event_version", Value: "1.0"},
		{Key: "timestamp", Value: ev.ts}, {Key: "aggregate_id", Value: nil},
		{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "api"}, {Key: "service_version", Value: "1.0.0"},
			{Key: "user_id", Value: "u1"}, {Key: "environment", Value: "test"}}},
		{Key: "stored_at", Value: ev.ts}, {Key: "ttl_expires_at", Value: ev.ts.Add(720 * time.Hour)},
	}
	if _, err := e.st.Events.Collection().InsertOne(ctxT(e.t, time.Minute), doc); err != nil {
		e.t.Fatal(err)
	}
}

// The insertion bound compares ObjectIDs only: a stored event whose _id is
// of another type is read as without a bound ($gt never matches across
// BSON types, on MongoDB and on the embedded server).
func TestInsertionBoundKeepsEventsWhoseIDIsNotAnObjectID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(3, "notification_sent")
	doc := bson.D{
		{Key: "_id", Value: "string-id-" + uuid.New()}, {Key: "event_id", Value: "str-" + uuid.New()}, {Key: "event_type", Value: "notification_sent"},
		{Key: "event_version", Value: "1.0"}, {Key: "timestamp", Value: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}, {Key: "aggregate_id", Value: nil},
		{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "api"}, {Key: "service_version", Value: "1.0.0"},
			{Key: "user_id", Value: "u1"}, {Key: "environment", Value: "test"}}},
	}
	if _, err := e.st.Events.Collection().InsertOne(ctxT(t, time.Minute), doc); err != nil {
		t.Fatal(err)
	}
	a := e.service("runner-a")
	sess := e.createStarted(a, Spec{DryRun: true})
	res := mustRun(t, a, sess.SessionID, RunOptions{})
	if res.Session.TotalEvents != 4 || res.Session.ReplayedEvents+res.Session.FailedEvents+res.Session.SkippedEvents != 4 {
		t.Fatalf("want all 4 documents read and counted: %s replayed %d failed %d skipped %d of %d", res.Outcome,
			res.Session.ReplayedEvents, res.Session.FailedEvents, res.Session.SkippedEvents, res.Session.TotalEvents)
	}
}
