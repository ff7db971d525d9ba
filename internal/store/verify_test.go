package store_test

import (
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
)

// A verification summary is stored only while the session is ended: a
// session resumed since (its runner owns its fields) is left alone.
func TestSetVerificationWritesOnlyEndedSessions(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, s := range []contract.SessionStatus{contract.StatusRunning, contract.StatusCompleted} {
		if err := st.Sessions.Insert(ctx(t), &contract.Session{SessionID: "sess-" + string(s), Status: s, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	v := &contract.Verification{VerifiedAt: now, Verdict: "ok"}
	if err := st.Sessions.SetVerification(ctx(t), "sess-running", v); err == nil {
		t.Error("stored a verification in a running session")
	}
	if got, _ := st.Sessions.Get(ctx(t), "sess-running"); got.Replayctl != nil && got.Replayctl.Verification != nil {
		t.Errorf("running session carries %+v", got.Replayctl.Verification)
	}
	if err := st.Sessions.SetVerification(ctx(t), "sess-completed", v); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Sessions.Get(ctx(t), "sess-completed"); got.Replayctl == nil || got.Replayctl.Verification == nil {
		t.Error("the completed session has no verification")
	}
}
