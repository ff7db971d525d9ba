package auditcmd_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/store"
)

// seedRecords stores records as the auditor writes them, an hour apart
// going back from now, so reads can be tested without running commands.
func seedRecords(t *testing.T, e *clitest.Env, recs ...audit.Record) []audit.Record {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	docs := make([]any, len(recs))
	for i := range recs {
		recs[i].At = now.Add(-time.Duration(i) * time.Hour)
		if recs[i].Outcome == "" {
			recs[i].Outcome = audit.OK
		}
		if recs[i].Targets == nil {
			recs[i].Targets = []string{}
		}
		recs[i].Version, recs[i].Host = "1.0.0", "h"
		docs[i] = recs[i]
	}
	if _, err := e.Store.Audit().Collection().InsertMany(ctxT(t), docs); err != nil {
		t.Fatalf("seed audit records: %v", err)
	}
	return recs
}

func ids(rs []audit.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestListFilters(t *testing.T) {
	e := newEnv(t)
	seedRecords(t, e,
		audit.Record{ID: "a0000000-0000-4000-8000-000000000000", Actor: "ana", Action: audit.DLQRetry, Targets: []string{"3f1c9a1e-0001", "77aa"}},
		audit.Record{ID: "a1000000-0000-4000-8000-000000000000", Actor: "bob", Action: audit.DLQPolicySet, Targets: []string{"execution_failed"}},
		audit.Record{ID: "a2000000-0000-4000-8000-000000000000", Actor: "ana", Action: audit.DLQPolicyUnset, Targets: []string{"execution_failed"}},
		audit.Record{ID: "a3000000-0000-4000-8000-000000000000", Actor: "bob", Action: audit.ReplayCancel, Targets: []string{"3f1c9a1e-0002"}},
		audit.Record{ID: "a4000000-0000-4000-8000-000000000000", Actor: "ana", Action: audit.ReplayCreate, Outcome: audit.Unknown},
	)
	cases := []struct {
		args []string
		want []string // id prefixes, newest first
	}{
		{nil, []string{"a0", "a1", "a2", "a3", "a4"}},
		{[]string{"--actor", "bob"}, []string{"a1", "a3"}},
		{[]string{"--action", "dlq"}, []string{"a0", "a1", "a2"}},
		{[]string{"--action", "dlq.policy"}, []string{"a1", "a2"}},
		{[]string{"--action", "dlq.policy.set"}, []string{"a1"}},
		{[]string{"--action", "dlq.re"}, nil},
		{[]string{"--target", "3f1c9a1e"}, []string{"a0", "a3"}},
		{[]string{"--target", "execution_failed", "--actor", "ana"}, []string{"a2"}},
		{[]string{"--since", "150m"}, []string{"a0", "a1", "a2"}},
		{[]string{"--until", "150m"}, []string{"a3", "a4"}},
		{[]string{"--since", "210m", "--until", "30m"}, []string{"a1", "a2", "a3"}},
	}
	for _, c := range cases {
		got := list(e, c.args...)
		var prefixes []string
		for _, r := range got.Items {
			prefixes = append(prefixes, r.ID[:2])
		}
		if !slices.Equal(prefixes, c.want) || got.Total != int64(len(c.want)) {
			t.Errorf("audit list %v: %v (total %d), want %v", c.args, prefixes, got.Total, c.want)
		}
	}
	// --limit shows the newest and counts them all.
	var l auditList
	e.OKJSON(&l, "audit", "list", "--limit", "2")
	if len(l.Items) != 2 || l.Total != 5 || l.Items[0].ID[:2] != "a0" {
		t.Errorf("--limit 2: %v total %d", ids(l.Items), l.Total)
	}
	// The table says how an unknown outcome reads.
	out := e.OK("audit", "list", "--action", "replay.create")
	if !strings.Contains(out, "unknown") || !strings.Contains(out, "replay.create") {
		t.Errorf("table:\n%s", out)
	}
	// YAML has the list commands' shape too.
	y := e.OK("audit", "list", "--actor", "bob", "-o", "yaml")
	for _, want := range []string{"items:", "total: 2", "skipped: []", "action: dlq.policy.set", "actor: bob"} {
		if !strings.Contains(y, want) {
			t.Errorf("-o yaml lacks %q:\n%s", want, y)
		}
	}
	e.WantExit(exitcode.Usage, "audit", "list", "--since", "yesterday-ish")
	e.WantExit(exitcode.Usage, "audit", "list", "--limit", "0")
}

// A document of replayctl_audit that is not a record is skipped and
// reported, and the others are listed.
func TestListSkipsForeignDocuments(t *testing.T) {
	e := newEnv(t)
	seedRecords(t, e, audit.Record{ID: "b0000000-0000-4000-8000-000000000000", Actor: "ana", Action: audit.DLQRetry})
	foreign := bson.D{{Key: "_id", Value: "foreign-1"}, {Key: "at", Value: time.Now()}, {Key: "action", Value: 42}}
	if _, err := e.Store.Audit().Collection().InsertOne(ctxT(t), foreign); err != nil {
		t.Fatal(err)
	}
	got := list(e)
	if len(got.Items) != 1 || len(got.Skipped) != 1 || got.Skipped[0].ID != "foreign-1" || got.Skipped[0].Collection != store.AuditCollection {
		t.Fatalf("items %v skipped %+v", ids(got.Items), got.Skipped)
	}
	r := e.Run("audit", "list")
	if r.Err != nil || !strings.Contains(r.Stderr, "1 document could not be read and was skipped") {
		t.Errorf("table run: %v\nstderr: %s", r.Err, r.Stderr)
	}
}

func TestShowByPrefix(t *testing.T) {
	e := newEnv(t)
	seedRecords(t, e,
		audit.Record{ID: "c0ffee00-0000-4000-8000-000000000001", Actor: "ana", Action: audit.DLQRetry, Reason: "poison fixed",
			Targets: []string{"ev-1"}, Outcome: audit.Partial, Counts: &audit.Counts{Succeeded: 8, Failed: 1, Refused: 1}},
		audit.Record{ID: "c0ffee11-0000-4000-8000-000000000002", Actor: "bob", Action: audit.ReplayCancel},
	)
	var rec audit.Record
	e.OKJSON(&rec, "audit", "show", "c0ffee00")
	if rec.ID != "c0ffee00-0000-4000-8000-000000000001" || rec.Reason != "poison fixed" || rec.Counts == nil || rec.Counts.Failed != 1 {
		t.Errorf("show c0ffee00: %+v", rec)
	}
	out := e.OK("audit", "show", "c0ffee00")
	for _, want := range []string{"poison fixed", "dlq.retry", "8 ok, 1 failed, 1 refused", "ev-1"} {
		if !strings.Contains(out, want) {
			t.Errorf("show table lacks %q:\n%s", want, out)
		}
	}
	r := e.WantExit(exitcode.Usage, "audit", "show", "c0ffee")
	if !strings.Contains(r.Stderr, "c0ffee00-") || !strings.Contains(r.Stderr, "c0ffee11-") {
		t.Errorf("ambiguous prefix does not list the candidates: %s", r.Stderr)
	}
	e.WantExit(exitcode.NotFound, "audit", "show", "dead")
	// <TAB> offers the matching ids, described.
	comp := e.OK("__complete", "audit", "show", "c0ffee1")
	if !strings.Contains(comp, "c0ffee11-0000-4000-8000-000000000002\treplay.cancel by bob") || strings.Contains(comp, "c0ffee00") {
		t.Errorf("completion:\n%s", comp)
	}
}

func TestPruneAsksAndIsAudited(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	old := audit.Record{ID: "d0000000-0000-4000-8000-000000000000", Actor: "ana", Action: audit.DLQRetry}
	recent := audit.Record{ID: "d1000000-0000-4000-8000-000000000000", Actor: "ana", Action: audit.DLQRetry}
	docs := []any{}
	for i, r := range []audit.Record{old, old, old, recent} {
		r.ID = r.ID[:35] + string(rune('0'+i))
		r.At = now.Add(-100 * 24 * time.Hour)
		if i == 3 {
			r.At = now.Add(-time.Hour)
		}
		r.Outcome, r.Targets = audit.OK, []string{}
		docs = append(docs, r)
	}
	if _, err := e.Store.Audit().Collection().InsertMany(ctxT(t), docs); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		return len(list(e).Items)
	}
	// No terminal and no --yes: refused, nothing deleted.
	e.WantExit(exitcode.Usage, "audit", "prune", "--older-than", "90d")
	// A terminal that says no.
	e.Term = clitest.Term{TTY: true, Stdin: "n\n"}
	r := e.Run("audit", "prune", "--older-than", "90d")
	if r.Code == exitcode.OK || !strings.Contains(r.Stderr, "Delete 3 audit record(s)") {
		t.Errorf("declined prune: exit %d\nstderr: %s", r.Code, r.Stderr)
	}
	if n := count(); n != 4 {
		t.Fatalf("%d records after declining, want 4", n)
	}
	// A terminal that says yes.
	e.Term = clitest.Term{TTY: true, Stdin: "y\n"}
	out := e.OK("audit", "prune", "--older-than", "90d", "--reason", "retention")
	if !strings.Contains(out, "Deleted 3 audit record(s)") {
		t.Errorf("prune said: %s", out)
	}
	e.Term = clitest.Term{}
	got := list(e)
	if len(got.Items) != 2 || got.Items[1].ID != docs[3].(audit.Record).ID {
		t.Fatalf("after prune: %v", actions(got.Items))
	}
	p := got.Items[0]
	if p.Action != audit.AuditPrune || p.Actor != testActor || p.Reason != "retention" || p.Outcome != audit.OK ||
		p.Matched == nil || *p.Matched != 3 || p.Counts == nil || p.Counts.Succeeded != 3 || p.Params["older_than"] != "90d" {
		t.Errorf("prune record: %+v", p)
	}
	// Nothing older: nothing to confirm, nothing audited.
	e.OK("audit", "prune", "--older-than", "90d", "--yes")
	if n := count(); n != 2 {
		t.Errorf("%d records after an empty prune, want 2", n)
	}
}
