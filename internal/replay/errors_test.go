package replay

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

func TestMalformedStoredDocumentsAreSkippedWithErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := e.seed(5, "user_login")
	ts := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	bad := []any{
		bson.D{{Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: ts}},                                              // no event_id
		bson.D{{Key: "event_id", Value: 7}, {Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: ts}},                 // id not a string
		bson.D{{Key: "event_id", Value: "bad-ts"}, {Key: "event_type", Value: "user_login"}, {Key: "timestamp", Value: "yesterday"}}, // not a date
		bson.D{{Key: "event_id", Value: "no-type"}, {Key: "timestamp", Value: ts}},                                                   // no type
	}
	if _, err := e.st.Events.Collection().InsertMany(ctxT(t, time.Minute), bad); err != nil {
		t.Fatal(err)
	}
	svc := e.service("runner")
	sess := e.createStarted(svc, Spec{})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	s := res.Session
	if res.Outcome != OutcomeCompleted || s.ReplayedEvents != 5 || s.SkippedEvents != 4 || s.TotalEvents != 9 {
		t.Fatalf("%s %+v", res.Outcome, s)
	}
	if len(s.Errors) != 4 {
		t.Fatalf("errors %+v", s.Errors)
	}
	ids := map[string]bool{}
	for _, er := range s.Errors {
		if er.ErrorType == nil || *er.ErrorType != "malformed_event" || !strings.Contains(er.Error, "malformed event") {
			t.Errorf("error entry %+v", er)
		}
		if er.EventID != nil {
			ids[*er.EventID] = true
		}
	}
	if !ids["bad-ts"] || !ids["no-type"] {
		t.Errorf("error entries should name the event ids they know: %v", ids)
	}
	got := eventIDs(t, consume(t, 5, e.topics("user_login")...))
	for _, ev := range good {
		if got[ev.id] != 1 {
			t.Fatalf("valid events must still be replayed once: %v", got)
		}
	}
}

// bigEvents stores n events whose second one is too large for a producer
// limited to 4 KiB batches, so Kafka (the client) rejects exactly that one.
func bigEvents(e *env, n int) []seeded {
	events := e.seed(n, "result_stored")
	_, err := e.st.Events.Collection().UpdateOne(ctxT(e.t, time.Minute), bson.D{{Key: "event_id", Value: events[1].id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "stdout", Value: strings.Repeat("x", 8<<10)}}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return events
}

func smallBatchService(e *env) *Service {
	return &Service{Store: e.st, Kafka: producer(e.t, kgo.ProducerBatchMaxBytes(4<<10)), TopicPrefix: e.prefix, Owner: "small", LeaseTTL: 3 * time.Second}
}

func TestFailFastFailsTheSessionAtTheFirstRejectedEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := bigEvents(e, 6)
	svc := smallBatchService(e)
	sess := e.createStarted(svc, Spec{FailFast: true, RetryAttempts: intp(1)})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	s := res.Session
	if res.Outcome != OutcomeFailed || s.Status != contract.StatusFailed || s.CompletedAt == nil || s.Error == nil ||
		!strings.Contains(*s.Error, events[1].id) || s.FailedEvents != 1 {
		t.Fatalf("%s %+v error=%v", res.Outcome, s, s.Error)
	}
	if len(s.Errors) != 1 || *s.Errors[0].EventID != events[1].id || *s.Errors[0].ErrorType != "MESSAGE_TOO_LARGE" {
		t.Fatalf("errors %+v", s.Errors)
	}
	// A failed session is terminal.
	if _, err := svc.Resume(ctxT(t, time.Minute), s.SessionID); err == nil {
		t.Fatal("resumed a failed session")
	}
}

func TestSkipErrorsCountsTheFailureAndGoesOn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := bigEvents(e, 6)
	svc := smallBatchService(e)
	sess := e.createStarted(svc, Spec{RetryAttempts: intp(2)})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	s := res.Session
	if res.Outcome != OutcomeCompleted || s.ReplayedEvents != 5 || s.FailedEvents != 1 || s.TotalEvents != 6 ||
		len(s.Errors) != 1 || *s.Errors[0].EventID != events[1].id {
		t.Fatalf("%s %+v", res.Outcome, s)
	}
	if got := eventIDs(t, consume(t, 5, e.topics("result_stored")...)); got[events[1].id] != 0 || len(got) != 5 {
		t.Fatalf("delivered %v", got)
	}
}
