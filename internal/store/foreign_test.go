package store_test

import (
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

func insert(t *testing.T, st *store.Store, collection string, docs ...any) {
	t.Helper()
	if _, err := st.Database().Collection(collection).InsertMany(ctx(t), docs); err != nil {
		t.Fatal(err)
	}
}

// Session reads decode document by document: foreign documents (config a
// string, status a number, no session_id) are skipped and named, and every
// other read still answers.
func TestSessionReadsSkipForeignDocuments(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	old := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Millisecond)
	good := contract.Session{SessionID: "good-1", Status: contract.StatusCompleted, CreatedAt: old, Config: contract.DefaultSessionConfig()}
	if err := st.Sessions.Insert(ctx(t), &good); err != nil {
		t.Fatal(err)
	}
	cfg, num, noID := bson.NewObjectID(), bson.NewObjectID(), bson.NewObjectID()
	insert(t, st, "replay_sessions",
		bson.D{{Key: "_id", Value: cfg}, {Key: "session_id", Value: "bad-config"}, {Key: "status", Value: "completed"},
			{Key: "config", Value: "everything"}, {Key: "created_at", Value: old}},
		bson.D{{Key: "_id", Value: num}, {Key: "session_id", Value: "bad-status"}, {Key: "status", Value: int32(3)}, {Key: "created_at", Value: old}},
		bson.D{{Key: "_id", Value: noID}, {Key: "status", Value: "completed"}, {Key: "created_at", Value: old}},
	)

	page, err := st.Sessions.List(ctx(t), store.ListOptions{})
	if err != nil || len(page.Items) != 1 || page.Items[0].SessionID != "good-1" || page.Total != 1 {
		t.Fatalf("list %+v, %v", page, err)
	}
	want := map[string]string{cfg.Hex(): "config", num.Hex(): "status", noID.Hex(): "session_id"}
	for _, s := range page.Skipped {
		if s.Collection != "replay_sessions" || !strings.Contains(s.Err.Error(), want[s.ID]) {
			t.Errorf("skipped %+v", s)
		}
		delete(want, s.ID)
	}
	if len(want) != 0 {
		t.Errorf("not reported as skipped: %v", want)
	}

	old2, err := st.Sessions.TerminalOlderThan(ctx(t), time.Now())
	if err != nil || len(old2.Items) != 1 || len(old2.Skipped) != 2 {
		t.Errorf("terminal older than: %d items, %d skipped, %v", len(old2.Items), len(old2.Skipped), err)
	}
	if _, err := st.Sessions.Resolve(ctx(t), "good"); err != nil {
		t.Errorf("resolve beside foreign documents: %v", err)
	}
	if _, err := st.Sessions.Resolve(ctx(t), "bad-config"); err == nil || !strings.Contains(err.Error(), "replay show") {
		t.Errorf("resolving a foreign document should say it cannot be read and how to see it: %v", err)
	}
	sess, problems, err := st.Sessions.ResolveLenient(ctx(t), "bad-status")
	if err != nil || sess.SessionID != "bad-status" || len(problems) != 1 || problems[0].Field != "status" {
		t.Errorf("lenient: %+v %+v %v", sess, problems, err)
	}
	if counts, err := st.Sessions.CountByStatus(ctx(t)); err != nil || counts["completed"] != 3 || counts["3"] != 1 {
		t.Errorf("count by status %v, %v", counts, err)
	}
}

// replayctl's own coordination collections get junk too (a hand edit, an
// older version): reads pass over it, so runners and controls go on.
func TestCoordinationReadsSkipJunk(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	good := &store.LeaseDoc{SessionID: "s1", Epoch: 1, Owner: "w1", Purpose: "run", AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.Leases().Insert(ctx(t), good); err != nil {
		t.Fatal(err)
	}
	insert(t, st, store.LeasesCollection,
		// A string epoch sorts after every number, so it comes first in
		// Latest's descending order.
		bson.D{{Key: "_id", Value: "s1:junk"}, {Key: "session_id", Value: "s1"}, {Key: "epoch", Value: "two"},
			{Key: "released", Value: false}, {Key: "expires_at", Value: now.Add(time.Hour)}},
		bson.D{{Key: "_id", Value: "s2:1"}, {Key: "session_id", Value: "s2"}, {Key: "epoch", Value: int64(1)},
			{Key: "released", Value: false}, {Key: "expires_at", Value: now.Add(time.Hour)}, {Key: "owner", Value: int32(7)}},
	)
	latest, err := st.Leases().Latest(ctx(t), "s1")
	if err != nil || latest == nil || latest.Epoch != 1 || latest.Owner != "w1" {
		t.Errorf("latest %+v, %v", latest, err)
	}
	live, skipped, err := st.Leases().Live(ctx(t), now)
	if err != nil || len(live) != 1 || live[0].SessionID != "s1" {
		t.Errorf("live %+v, %v", live, err)
	}
	if len(skipped) != 2 || skipped[0].Collection != store.LeasesCollection {
		t.Errorf("live skipped %+v, want s1:junk and s2:1", skipped)
	}

	if err := st.Requests().Insert(ctx(t), &store.RequestDoc{ID: "r1", SessionID: "s1", Action: "pause", RequestedBy: "op", RequestedAt: now}); err != nil {
		t.Fatal(err)
	}
	insert(t, st, store.RequestsCollection,
		bson.D{{Key: "_id", Value: "r0"}, {Key: "session_id", Value: "s1"}, {Key: "action", Value: bson.A{"pause"}}, {Key: "requested_at", Value: "now"}})
	reqs, err := st.Requests().Pending(ctx(t), "s1")
	if err != nil || len(reqs) != 1 || reqs[0].ID != "r1" {
		t.Errorf("pending %+v, %v", reqs, err)
	}
}
