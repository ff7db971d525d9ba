package replay

import (
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// foreignEvents stores events other software wrote with wrong types: a
// string timestamp (sorts before every date), a numeric event_type, and no
// event_id.
func foreignEvents(e *env) {
	e.t.Helper()
	ts := time.Date(2026, 11, 20, 8, 0, 2, 500e6, time.UTC) // between the good ones
	bad := []any{
		bson.D{{Key: "event_id", Value: "ts-string"}, {Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: "2026-11-20T08:00:00Z"}},
		bson.D{{Key: "event_id", Value: "type-number"}, {Key: "event_type", Value: int32(12)}, {Key: "timestamp", Value: ts}},
		bson.D{{Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: ts}},
	}
	if _, err := e.st.Events.Collection().InsertMany(ctxT(e.t, time.Minute), bad); err != nil {
		e.t.Fatal(err)
	}
}

// A resumed replay over events with wrong types neither re-reads nor
// re-counts what its checkpoint is past: the checkpoint is (timestamp,
// _id), and a document whose timestamp is not a date sorts before every
// date, so the resume query must exclude it.
func TestResumeOverForeignEventsCountsEachOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := e.seed(6, "user_login")
	foreignEvents(e)
	svc := e.service("runner")
	sess := e.createStarted(svc, Spec{})

	// As if a first run got past the string timestamp and the first three
	// good events (one of the foreign documents sits after the third).
	ctx := ctxT(t, time.Minute)
	var third struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := e.st.Events.Collection().FindOne(ctx, bson.D{{Key: "event_id", Value: good[2].id}}).Decode(&third); err != nil {
		t.Fatal(err)
	}
	cp := bson.D{{Key: "timestamp", Value: good[2].ts}, {Key: "object_id", Value: third.ID.Hex()}, {Key: "event_id", Value: good[2].id}}
	if err := e.st.Sessions.Update(ctx, sess.SessionID, bson.D{
		{Key: "replayctl.checkpoint", Value: cp}, {Key: "replayed_events", Value: 3}, {Key: "skipped_events", Value: 1},
		{Key: "total_events", Value: 9},
	}); err != nil {
		t.Fatal(err)
	}

	s := runEachOnce(t, svc, sess.SessionID, 6, 3)
	var malformed int
	for _, er := range s.Errors {
		if er.ErrorType != nil && *er.ErrorType == "malformed_event" {
			malformed++
		}
	}
	if malformed != 2 {
		t.Errorf("errors %+v: want one malformed_event entry per foreign document read by this run", s.Errors)
	}
	got := eventIDs(t, consume(t, 3, e.topics("user_login")...))
	for _, ev := range good[3:] {
		if got[ev.id] != 1 {
			t.Errorf("event %s delivered %d times after the resume, want once: %v", ev.id, got[ev.id], got)
		}
	}
	if cp := s.Replayctl.Checkpoint; cp == nil || !cp.Timestamp.Equal(good[5].ts) {
		t.Errorf("checkpoint %+v, want the last good event", cp)
	}
}

// Documents whose timestamp is not a date sort before every date, where a
// (timestamp, _id) checkpoint cannot name a place: the checkpoint counts
// them instead (Head), and a resume skips exactly that many.
func TestCheckpointMovesPastLeadingUndatedDocuments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := e.seed(3, "user_login")
	head := []any{
		bson.D{{Key: "event_id", Value: "ts-missing"}, {Key: "event_type", Value: "user_login"}}, // null: sorts first
		bson.D{{Key: "event_id", Value: "ts-string"}, {Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: "today"}},
		bson.D{{Key: "event_id", Value: "type-number"}, {Key: "event_type", Value: int32(12)}, {Key: "timestamp", Value: good[1].ts}},
	}
	ctx := ctxT(t, time.Minute)
	if _, err := e.st.Events.Collection().InsertMany(ctx, head); err != nil {
		t.Fatal(err)
	}
	svc := e.service("runner")
	sess := e.createStarted(svc, Spec{})
	// As if a first run stopped after the first undated document.
	if err := e.st.Sessions.Update(ctx, sess.SessionID, bson.D{
		{Key: "replayctl.checkpoint", Value: bson.D{{Key: "head", Value: int64(1)}}},
		{Key: "skipped_events", Value: 1}, {Key: "total_events", Value: 6},
	}); err != nil {
		t.Fatal(err)
	}
	s := runEachOnce(t, svc, sess.SessionID, 3, 3)
	var ids []string
	for _, er := range s.Errors {
		if er.EventID != nil {
			ids = append(ids, *er.EventID)
		}
	}
	if strings.Join(ids, ",") != "ts-string,type-number" {
		t.Errorf("error entries for %v, want ts-string and type-number only", ids)
	}

	// A run over undated documents only ends with a head checkpoint.
	only := newEnv(t)
	if _, err := only.st.Events.Collection().InsertMany(ctx, head[:2]); err != nil {
		t.Fatal(err)
	}
	svc = only.service("runner")
	sess = only.createStarted(svc, Spec{})
	s = mustRun(t, svc, sess.SessionID, RunOptions{}).Session
	if cp := s.Replayctl.Checkpoint; s.SkippedEvents != 2 || cp == nil || cp.Head != 2 || cp.ObjectID != "" || s.LastEventAt != nil {
		t.Errorf("skipped %d, checkpoint %+v, last_event_at %v; want 2, head 2, none", s.SkippedEvents, cp, s.LastEventAt)
	}
}

// preview answers beside events with wrong types: the counts include them
// (a replay reads and skips them), the time bounds are the dated events'.
func TestPreviewAnswersBesideForeignEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := e.seed(3, "user_login")
	foreignEvents(e)
	svc := e.service("op")
	cfg := contract.DefaultSessionConfig()
	p, err := svc.Preview(ctxT(t, time.Minute), cfg, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The last dated document is a foreign one (08:00:02.5); the string
	// timestamp, which sorts before every date, is no bound.
	last := time.Date(2026, 11, 20, 8, 0, 2, 500e6, time.UTC)
	if p.Matching != 6 || p.First == nil || !p.First.Equal(good[0].ts) || !p.Last.Equal(last) {
		t.Errorf("matching %d, first %v, last %v", p.Matching, p.First, p.Last)
	}
}

// runEachOnce runs a resumed session to completion and checks that it
// replayed and skipped exactly the documents the first run had not reached.
func runEachOnce(t *testing.T, svc *Service, id string, replayed, skipped int64) *contract.Session {
	t.Helper()
	res := mustRun(t, svc, id, RunOptions{})
	s := res.Session
	if res.Outcome != OutcomeCompleted || s.ReplayedEvents != replayed || s.SkippedEvents != skipped {
		t.Fatalf("%s: replayed %d skipped %d, want %d and %d (each document once)", res.Outcome, s.ReplayedEvents, s.SkippedEvents, replayed, skipped)
	}
	return s
}
