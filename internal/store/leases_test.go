package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// TestMain gives the package's integration tests the embedded stack.
func TestMain(m *testing.M) { testenv.Main(m) }

func newStore(t *testing.T) *store.Store {
	t.Helper()
	db := testenv.Database(t)
	return store.FromClient(db.Client(), store.Options{Database: db.Name()})
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// The coordination primitive: racing inserts of one epoch have exactly one
// winner, with real concurrency on the embedded server.
func TestLeaseInsertRaceHasOneWinner(t *testing.T) {
	t.Parallel()
	l := newStore(t).Leases()
	if err := l.EnsureIndexes(ctx(t)); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for round := range int64(10) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, dup := 0, 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &store.LeaseDoc{SessionID: "s", Epoch: round + 1, Owner: string(rune('a' + i)), Purpose: "run",
					AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(time.Second)}
				err := l.Insert(ctx(t), d)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case store.IsDuplicateKey(err):
					dup++
				default:
					t.Errorf("insert: %v", err)
				}
			}()
		}
		wg.Wait()
		if won != 1 || dup != 7 {
			t.Fatalf("round %d: %d winners, %d duplicates", round, won, dup)
		}
	}
	latest, err := l.Latest(ctx(t), "s")
	if err != nil || latest == nil || latest.Epoch != 10 || latest.ID != store.LeaseID("s", 10) {
		t.Fatalf("latest %+v %v", latest, err)
	}
}

func TestLeaseRenewReleaseLiveDelete(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	l := st.Leases()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, sid := range []string{"a", "b"} {
		d := &store.LeaseDoc{SessionID: sid, Epoch: 1, Owner: "o", Purpose: "run", AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(time.Second)}
		if err := l.Insert(ctx(t), d); err != nil {
			t.Fatal(err)
		}
	}
	if none, err := l.Latest(ctx(t), "nobody"); none != nil || err != nil {
		t.Fatalf("no lease: %+v %v", none, err)
	}
	if ok, err := l.Renew(ctx(t), store.LeaseID("a", 1), now, now.Add(time.Hour)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := l.Release(ctx(t), store.LeaseID("b", 1), now); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, _ := l.Renew(ctx(t), store.LeaseID("gone", 1), now, now); ok {
		t.Fatal("renewing a missing claim must report false")
	}
	live, _, err := l.Live(ctx(t), now.Add(time.Minute))
	if err != nil || len(live) != 1 || live[0].SessionID != "a" || !live[0].ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("live %+v %v", live, err)
	}
	if err := l.DeleteSessions(ctx(t), []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if a, _ := l.Latest(ctx(t), "a"); a != nil {
		t.Fatal("deleted claim still there")
	}
}

func TestRequestsAndConditionalSessionUpdate(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	r := st.Requests()
	if err := r.EnsureIndexes(ctx(t)); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, a := range []string{"pause", "cancel"} {
		d := &store.RequestDoc{ID: "s:" + a, SessionID: "s", Action: a, RequestedBy: "op", RequestedAt: now.Add(time.Duration(i) * time.Second)}
		if err := r.Insert(ctx(t), d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.Pending(ctx(t), "s")
	if err != nil || len(got) != 2 || got[0].Action != "pause" {
		t.Fatalf("pending %+v %v", got, err)
	}
	if err := r.Delete(ctx(t), "s:pause", "s:pause", "missing"); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteSessions(ctx(t), []string{"s"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Pending(ctx(t), "s"); len(got) != 0 {
		t.Fatalf("left %+v", got)
	}

	sess := &contract.Session{SessionID: "sess-1", Status: contract.StatusRunning, CreatedAt: now}
	if err := st.Sessions.Insert(ctx(t), sess); err != nil {
		t.Fatal(err)
	}
	set := bson.D{{Key: "replayed_events", Value: int64(5)}, {Key: "replayctl.in_flight_limit", Value: int64(3)}}
	if ok, err := st.Sessions.UpdateIfStatus(ctx(t), "sess-1", contract.StatusPaused, set); ok || err != nil {
		t.Fatalf("wrong status matched: %v %v", ok, err)
	}
	if ok, err := st.Sessions.UpdateIfStatus(ctx(t), "sess-1", contract.StatusRunning, set); !ok || err != nil {
		t.Fatalf("update: %v %v", ok, err)
	}
	raw, err := st.Sessions.GetRaw(ctx(t), "sess-1")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := raw.LookupErr("replayctl", "in_flight_limit"); v.AsInt64() != 3 {
		t.Fatalf("raw %v", raw)
	}
	if _, err := st.Sessions.GetRaw(ctx(t), "missing"); err == nil {
		t.Fatal("missing session found")
	}
}
