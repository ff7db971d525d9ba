package leasescmd_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	leasescmd "github.com/integr8scode/replayctl/internal/cli/leases"
	"github.com/integr8scode/replayctl/internal/store"
)

func TestMain(m *testing.M) { clitest.Main(m) }

func insert(t *testing.T, l *store.Leases, id, purpose string, expiresIn time.Duration, released bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now().UTC().Truncate(time.Millisecond)
	d := store.LeaseDoc{SessionID: id, Epoch: 3, Owner: "host-a/4242/" + id, Purpose: purpose,
		AcquiredAt: now.Add(-time.Minute), RenewedAt: now, ExpiresAt: now.Add(expiresIn), Released: released}
	if err := l.Insert(ctx, &d); err != nil {
		t.Fatal(err)
	}
}

// Only live run leases are listed, of sessions and of jobs; a junk lease
// document is reported as skipped.
func TestLeasesListsTheLiveRunLeases(t *testing.T) {
	e := clitest.New(t, func(f *cmdutil.Factory) *cobra.Command { return leasescmd.NewCmdLeases(f, nil) })
	st := e.Store
	insert(t, st.Leases(), "s-live", "run", time.Minute, false)
	insert(t, st.Leases(), "s-expired", "run", -time.Second, false)
	insert(t, st.Leases(), "s-released", "run", time.Minute, true)
	insert(t, st.Leases(), "s-control", "control", time.Minute, false)
	insert(t, st.DLQJobLeases(), "j-live", "run", time.Minute, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := st.Leases().Collection().InsertOne(ctx, bson.D{{Key: "_id", Value: "junk:1"}, {Key: "session_id", Value: "junk"},
		{Key: "epoch", Value: "one"}, {Key: "released", Value: false}, {Key: "expires_at", Value: time.Now().Add(time.Hour)},
		{Key: "purpose", Value: "run"}}); err != nil {
		t.Fatal(err)
	}

	var doc struct {
		Items []leasescmd.LeaseView `json:"items"`
		Total int64                 `json:"total"`
		Skip  []map[string]any      `json:"skipped"`
	}
	e.OKJSON(&doc, "leases")
	got := map[string]string{}
	for _, l := range doc.Items {
		got[l.ID] = l.Kind
		if l.Epoch != 3 || !strings.HasPrefix(l.Owner, "host-a/") || l.RenewedAt.IsZero() || !l.ExpiresAt.After(time.Now()) {
			t.Errorf("lease %+v", l)
		}
	}
	if len(doc.Items) != 2 || got["s-live"] != "session" || got["j-live"] != "job" || doc.Total != 2 {
		t.Errorf("leases %v (total %d), want s-live and j-live", got, doc.Total)
	}
	if len(doc.Skip) != 1 {
		t.Errorf("skipped %v, want the junk lease", doc.Skip)
	}

	out := e.OK("leases")
	if !strings.Contains(out, "s-live") || !strings.Contains(out, "host-a/4242/j-live") {
		t.Errorf("table:\n%s", out)
	}
}
