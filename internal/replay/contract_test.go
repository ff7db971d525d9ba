package replay

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract/contracttest"
)

// A session replayctl creates, and the same session after a run, has every
// field of the contract's replay_sessions with the contract's types, and
// every record the run produces is the event as the contract's JSON (the
// common fields, no storage bookkeeping). Checked on what FerretDB and kfake
// hold, not on the Go structs.
func TestWrittenSessionsAndRecordsMeetTheContract(t *testing.T) {
	e := newEnv(t)
	events := e.seed(6, "execution_completed", "pod_running")
	svc := e.service("contract")
	ctx := ctxT(t, time.Minute)
	sess, err := svc.Create(ctx, Spec{Types: []string{"execution_completed", "pod_running"}, Since: "2026-11-01T00:00:00Z"}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	checkSession(t, e, sess.SessionID, "created")
	if _, err := svc.Start(ctx, sess.SessionID); err != nil {
		t.Fatal(err)
	}
	mustRun(t, svc, sess.SessionID, RunOptions{})
	checkSession(t, e, sess.SessionID, "completed")

	recs := consume(t, len(events), e.topics("execution_completed", "pod_running")...)
	for _, r := range recs {
		for _, err := range contracttest.CheckJSON(contracttest.ReplayedEvent, r.Value) {
			t.Errorf("record %s: %v", r.Key, err)
		}
	}
}

func checkSession(t *testing.T, e *env, id, when string) {
	t.Helper()
	raw, err := e.st.Sessions.GetRaw(ctxT(t, time.Minute), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range contracttest.CheckBSON(contracttest.ReplaySession, raw) {
		t.Errorf("%s session: %v", when, err)
	}
	errs, _ := raw.Lookup("errors").ArrayOK()
	vals, _ := bson.Raw(errs).Values()
	for _, v := range vals {
		doc, _ := v.DocumentOK()
		for _, err := range contracttest.CheckBSON(contracttest.SessionError, doc) {
			t.Errorf("%s session error entry: %v", when, err)
		}
	}
}
