package store_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// coordinationURI is what an operator pointing replayctl at a PSA replica
// set with analytics reads would pass: stale reads and unreplicated writes
// are fine for listings, not for claims.
const coordinationURI = "readPreference=secondaryPreferred&w=1&readConcernLevel=local"

// Every coordination collection reads primary/majority and writes
// w:majority journaled whatever the URI says, while the contract's
// collections keep the URI's settings; the embedded server accepts all of it.
func TestCoordinationHandlesUseMajorityWhateverTheURISays(t *testing.T) {
	t.Parallel()
	st, w := monitoredStore(t, coordinationURI)
	c := ctx(t)
	now := time.Now().UTC().Truncate(time.Millisecond)

	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s on the embedded server: %v", what, err)
		}
	}
	w.take()

	lease := &store.LeaseDoc{SessionID: "s1", Epoch: 1, Owner: "o", Purpose: "run", AcquiredAt: now, RenewedAt: now, ExpiresAt: now.Add(time.Minute)}
	must("lease insert", st.Leases().Insert(c, lease))
	got, err := st.Leases().Latest(c, "s1")
	must("lease read", err)
	if got == nil || got.Owner != "o" {
		t.Fatalf("lease read back = %+v", got)
	}
	_, err = st.Leases().Renew(c, lease.ID, now, now.Add(2*time.Minute))
	must("lease renew", err)

	must("request insert", st.Requests().Insert(c, &store.RequestDoc{ID: "r1", SessionID: "s1", Action: "pause", RequestedAt: now}))
	reqs, err := st.Requests().Pending(c, "s1")
	must("request read", err)
	if len(reqs) != 1 {
		t.Fatalf("requests read back = %d, want 1", len(reqs))
	}
	must("request delete", st.Requests().Delete(c, "r1"))

	claim := store.DLQClaim{ID: "k1:0", Key: "k1", EventID: "e1", Owner: "o", Token: "t", ClaimedAt: now, ExpiresAt: now.Add(time.Minute)}
	_, err = st.DLQClaims().Insert(c, []store.DLQClaim{claim})
	must("claim insert", err)
	claims, _, err := st.DLQClaims().ByKeys(c, []string{"k1"})
	must("claim read", err)
	if len(claims) != 1 {
		t.Fatalf("claims read back = %d, want 1", len(claims))
	}
	_, err = st.DLQClaims().Delete(c, []string{"k1:0"})
	must("claim delete", err)

	must("journal insert", st.DLQPendingSends().Insert(c, []store.DLQPendingSend{{ID: "k1:0", EventID: "e1", Topic: "t", CreatedAt: now}}))
	_, _, err = st.DLQPendingSends().CreatedBefore(c, now.Add(time.Second))
	must("journal read", err)
	must("journal delete", st.DLQPendingSends().Delete(c, []string{"k1:0"}))

	must("policy put", st.DLQPolicies().Put(c, "topic", bson.D{{Key: "strategy", Value: "manual"}}))
	_, err = st.DLQPolicies().Get(c, "topic")
	must("policy get", err)
	_, err = st.DLQPolicies().Delete(c, "topic")
	must("policy delete", err)

	// The constructor the jobs and audit collections will use.
	jobs := st.Coordination("replayctl_dlq_jobs")
	_, err = jobs.InsertOne(c, bson.D{{Key: "_id", Value: "j1"}})
	must("jobs insert", err)
	must("jobs read", jobs.FindOne(c, bson.D{{Key: "_id", Value: "j1"}}).Err())

	coordination := map[string]bool{
		store.LeasesCollection: true, store.RequestsCollection: true, store.DLQClaimsCollection: true,
		store.DLQPendingSendsCollection: true, store.DLQPoliciesCollection: true, "replayctl_dlq_jobs": true,
	}
	seen := map[string]bool{}
	for _, cmd := range w.take() {
		if !coordination[cmd.Collection] {
			continue
		}
		seen[cmd.Name] = true
		switch cmd.Name {
		case "insert", "update", "delete":
			checkMajorityWrite(t, cmd)
		case "find", "aggregate", "count":
			checkMajorityRead(t, cmd)
		}
	}
	for _, name := range []string{"insert", "update", "delete", "find"} {
		if !seen[name] {
			t.Errorf("no %s command on a coordination collection was recorded", name)
		}
	}

	// The rest of the database follows the URI: the contract's collections
	// are the platform's, and an operator may well want them read from a
	// secondary.
	sess := &contract.Session{SessionID: "s-uri", Status: contract.StatusCreated, CreatedAt: now}
	must("session insert", st.Sessions.Insert(c, sess))
	for _, cmd := range w.take() {
		if cmd.Name == "insert" && cmd.Collection == st.Collections().Sessions {
			if n, ok := cmd.Command.Lookup("writeConcern", "w").AsInt64OK(); !ok || n != 1 {
				t.Errorf("session insert sent writeConcern %s, want the URI's w: 1", cmd.Command.Lookup("writeConcern"))
			}
		}
	}
}

func checkMajorityWrite(t *testing.T, cmd sent) {
	t.Helper()
	w, err := cmd.Command.LookupErr("writeConcern", "w")
	if s, ok := w.StringValueOK(); err != nil || !ok || s != "majority" {
		t.Errorf("%s on %s sent writeConcern %s, want w: majority", cmd.Name, cmd.Collection, cmd.Command.Lookup("writeConcern"))
		return
	}
	if j, err := cmd.Command.LookupErr("writeConcern", "j"); err != nil || !j.Boolean() {
		t.Errorf("%s on %s sent writeConcern %s, want j: true", cmd.Name, cmd.Collection, cmd.Command.Lookup("writeConcern"))
	}
}

func checkMajorityRead(t *testing.T, cmd sent) {
	t.Helper()
	level, err := cmd.Command.LookupErr("readConcern", "level")
	if s, ok := level.StringValueOK(); err != nil || !ok || s != "majority" {
		t.Errorf("%s on %s sent readConcern %s, want level majority", cmd.Name, cmd.Collection, cmd.Command.Lookup("readConcern"))
	}
	// A standalone never gets $readPreference; any other server must not
	// be asked for a secondary.
	if rp, err := cmd.Command.LookupErr("$readPreference", "mode"); err == nil && rp.String() != `"primary"` && rp.String() != `"primaryPreferred"` {
		t.Errorf("%s on %s sent $readPreference %s, want primary", cmd.Name, cmd.Collection, rp)
	}
}

// The driver omits $readPreference towards a standalone, so the wire test
// above cannot see it: the handles' own settings must say primary.
func TestCoordinationHandlesReadFromThePrimary(t *testing.T) {
	var o options.CollectionOptions
	for _, set := range store.CoordinationOptions().List() {
		if err := set(&o); err != nil {
			t.Fatal(err)
		}
	}
	if o.ReadPreference == nil || o.ReadPreference.Mode() != readpref.PrimaryMode {
		t.Errorf("read preference = %v, want primary", o.ReadPreference)
	}
	if o.ReadConcern == nil || o.ReadConcern.Level != "majority" {
		t.Errorf("read concern = %v, want majority", o.ReadConcern)
	}
	if o.WriteConcern == nil || o.WriteConcern.W != "majority" || o.WriteConcern.Journal == nil || !*o.WriteConcern.Journal {
		t.Errorf("write concern = %+v, want w: majority, j: true", o.WriteConcern)
	}
}

// The fence a stale runner is kept out by is the epoch in the session
// document, so a holder's reads and writes of its session go through
// HolderSessions with the coordination settings; an operator's listing of
// the same collection keeps the URI's.
func TestHolderSessionHandleUsesMajorityWhateverTheURISays(t *testing.T) {
	t.Parallel()
	st, w := monitoredStore(t, coordinationURI)
	c := ctx(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	sess := &contract.Session{SessionID: "s-held", Status: contract.StatusRunning, CreatedAt: now}
	if err := st.Sessions.Insert(c, sess); err != nil {
		t.Fatal(err)
	}
	w.take()

	held := st.HolderSessions()
	if _, err := held.GetRaw(c, "s-held"); err != nil {
		t.Fatalf("holder GetRaw: %v", err)
	}
	if ok, err := held.TakeOver(c, "s-held", 1, bson.D{{Key: "replayctl.owner", Value: "o"}}); err != nil || !ok {
		t.Fatalf("holder TakeOver: %v %v", ok, err)
	}
	if ok, err := held.UpdateIfHeld(c, "s-held", contract.StatusRunning, 1, bson.D{{Key: "replayed_events", Value: 3}}); err != nil || !ok {
		t.Fatalf("holder UpdateIfHeld: %v %v", ok, err)
	}
	if _, err := held.UpdateIfStatus(c, "s-held", contract.StatusRunning, bson.D{{Key: "status", Value: contract.StatusPaused}}); err != nil {
		t.Fatalf("holder UpdateIfStatus: %v", err)
	}
	if _, err := held.Get(c, "s-held"); err != nil {
		t.Fatalf("holder Get: %v", err)
	}
	seen := map[string]int{}
	for _, cmd := range w.take() {
		if cmd.Collection != st.Collections().Sessions {
			continue
		}
		seen[cmd.Name]++
		switch cmd.Name {
		case "update":
			checkMajorityWrite(t, cmd)
		case "find":
			checkMajorityRead(t, cmd)
		}
	}
	if seen["find"] != 2 || seen["update"] != 3 {
		t.Errorf("holder commands on the sessions collection: %v, want 2 find and 3 update", seen)
	}

	if _, err := st.Sessions.List(c, store.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range w.take() {
		if cmd.Name != "find" || cmd.Collection != st.Collections().Sessions {
			continue
		}
		if level, err := cmd.Command.LookupErr("readConcern", "level"); err != nil || level.StringValue() != "local" {
			t.Errorf("a listing sent readConcern %s, want the URI's local", cmd.Command.Lookup("readConcern"))
		}
	}
}
