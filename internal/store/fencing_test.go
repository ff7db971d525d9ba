package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
)

// An insert whose reply was lost is retried and meets itself: the token
// tells our own committed claim from another holder's.
func TestLeaseInsertRecognisesItsOwnCommittedInsert(t *testing.T) {
	t.Parallel()
	l := newStore(t).Leases()
	now := time.Now().UTC().Truncate(time.Millisecond)
	mine := &store.LeaseDoc{SessionID: "s", Epoch: 1, Owner: "a", Purpose: "run", Token: "tok-a",
		AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := l.Insert(ctx(t), mine); err != nil {
		t.Fatal(err)
	}
	again := *mine // the retry of the same attempt
	if err := l.Insert(ctx(t), &again); err != nil {
		t.Fatalf("our own committed insert must count as ours: %v", err)
	}
	theirs := *mine
	theirs.Owner, theirs.Token = "b", "tok-b"
	if err := l.Insert(ctx(t), &theirs); !store.IsDuplicateKey(err) {
		t.Fatalf("another attempt's insert of the same epoch: want duplicate key, got %v", err)
	}
}

// A renewal must never revive a claim that expired: a taker may already
// hold the next epoch.
func TestLeaseRenewNeverRevivesAnExpiredOrReleasedClaim(t *testing.T) {
	t.Parallel()
	l := newStore(t).Leases()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, sid := range []string{"expired", "released"} {
		d := &store.LeaseDoc{SessionID: sid, Epoch: 1, Owner: "o", Purpose: "run", Token: sid,
			AcquiredAt: now.Add(-time.Minute), RenewedAt: now.Add(-time.Minute), ExpiresAt: now.Add(-time.Second)}
		if sid == "released" {
			d.ExpiresAt = now.Add(time.Minute)
		}
		if err := l.Insert(ctx(t), d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Release(ctx(t), store.LeaseID("released", 1), now); err != nil {
		t.Fatal(err)
	}
	for _, sid := range []string{"expired", "released"} {
		if ok, err := l.Renew(ctx(t), store.LeaseID(sid, 1), now, now.Add(time.Hour)); ok || err != nil {
			t.Fatalf("%s claim renewed: %v %v", sid, ok, err)
		}
	}
	if d, _ := l.Latest(ctx(t), "expired"); d == nil || d.ExpiresAt.After(now) {
		t.Fatalf("expired claim revived: %+v", d)
	}
}

// Session writes carry the holder's epoch: a runner whose epoch was
// replaced matches nothing; taking a claim records the epoch, also on a
// session older replayctl wrote without one.
func TestSessionWritesAreFencedByEpoch(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, id := range []string{"old", "new"} {
		if err := st.Sessions.Insert(ctx(t), &contract.Session{SessionID: id, Status: contract.StatusRunning, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	set := bson.D{{Key: "replayed_events", Value: int64(7)}}
	// "old" has no replayctl.epoch: nobody may write it as a holder until a
	// claim is taken, and taking one sets it.
	if ok, err := st.Sessions.UpdateIfHeld(ctx(t), "old", contract.StatusRunning, 1, set); ok || err != nil {
		t.Fatalf("write without a recorded epoch matched: %v %v", ok, err)
	}
	if ok, err := st.Sessions.TakeOver(ctx(t), "old", 1, nil); !ok || err != nil {
		t.Fatalf("take over a session without an epoch: %v %v", ok, err)
	}
	if ok, err := st.Sessions.UpdateIfHeld(ctx(t), "old", contract.StatusRunning, 1, set); !ok || err != nil {
		t.Fatalf("holder's write: %v %v", ok, err)
	}

	if ok, err := st.Sessions.TakeOver(ctx(t), "new", 3, nil); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := st.Sessions.TakeOver(ctx(t), "new", 2, nil); ok || err != nil {
		t.Fatalf("an older epoch took over from a newer one: %v %v", ok, err)
	}
	for _, epoch := range []int64{2, 4} {
		if ok, err := st.Sessions.UpdateIfHeld(ctx(t), "new", contract.StatusRunning, epoch, set); ok || err != nil {
			t.Fatalf("epoch %d wrote over epoch 3's session: %v %v", epoch, ok, err)
		}
	}
	if ok, err := st.Sessions.UpdateIfHeld(ctx(t), "new", contract.StatusPaused, 3, set); ok || err != nil {
		t.Fatalf("wrong status matched: %v %v", ok, err)
	}
	if got, err := st.Sessions.Get(ctx(t), "new"); err != nil || got.ReplayedEvents != 0 || got.Replayctl.Epoch != 3 {
		t.Fatalf("fenced session changed: %+v %v", got, err)
	}
}

// Wrap classifies an unreachable server without hiding the driver's error:
// retries and timeouts must still be recognised through it.
func TestWrapKeepsTheDriverErrorForClassification(t *testing.T) {
	t.Parallel()
	netErr := mongo.CommandError{Code: 6, Message: "connection reset", Labels: []string{"NetworkError"}}
	deadline := fmt.Errorf("server selection error: context deadline exceeded, current topology: { Type: Unknown }: %w", context.DeadlineExceeded)
	for name, err := range map[string]error{"network": netErr, "deadline": deadline} {
		w := store.Wrap(err)
		if fault.KindOf(w) != fault.Unavailable {
			t.Errorf("%s: kind %v, want unavailable", name, fault.KindOf(w))
		}
		if !store.IsRetryable(w) || !store.IsRetryable(fmt.Errorf("update lease: %w", w)) {
			t.Errorf("%s: not retryable after wrapping: %v", name, w)
		}
		if strings.Contains(w.Error(), "current topology") {
			t.Errorf("%s: the topology dump leaked into the message: %v", name, w)
		}
	}
	if w := store.Wrap(netErr); !mongo.IsNetworkError(w) {
		t.Errorf("mongo.IsNetworkError lost through Wrap: %v", w)
	}
	if w := store.Wrap(deadline); !errors.Is(w, context.DeadlineExceeded) {
		t.Errorf("errors.Is(DeadlineExceeded) lost through Wrap: %v", w)
	}
}
