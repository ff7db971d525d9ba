package uicmd_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	dlqcmd "github.com/integr8scode/replayctl/internal/cli/dlq"
	replaycmd "github.com/integr8scode/replayctl/internal/cli/replay"
	uicmd "github.com/integr8scode/replayctl/internal/cli/ui"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// opTimeout bounds one seeding step or one dashboard call; -race on two
// busy cores makes FerretDB several times slower.
const opTimeout = 60 * time.Second

const actor = "ana@oncall"

// env is one test's database and topic prefix on the shared stack, with
// the replay and dlq commands for seeding and a factory for the
// dashboard's source and actions.
type env struct {
	*clitest.Env
	t   *testing.T
	st  *store.Store
	f   *cmdutil.Factory
	now time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clitest.New(t, nil)
	ce.Root = func(f *cmdutil.Factory) *cobra.Command {
		root := &cobra.Command{Use: "replayctl", SilenceErrors: true, SilenceUsage: true}
		cmdutil.AddGlobalFlags(root, f)
		root.AddCommand(replaycmd.NewCmdReplay(f), dlqcmd.NewCmdDLQ(f))
		return root
	}
	ce.Vars[config.EnvTimeout] = "20s"
	ce.Vars[config.EnvActor] = actor
	ce.Vars["USER"] = "tester"
	ios, _, _ := clitest.Term{}.Streams()
	f := ce.NewFactory(ios)
	t.Cleanup(f.Close)
	return &env{Env: ce, t: t, st: ce.Store, f: f, now: time.Now().UTC().Truncate(time.Millisecond)}
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	e.t.Cleanup(cancel)
	return ctx
}

func (e *env) source() dashboard.Source {
	e.t.Helper()
	src, err := uicmd.NewSource(e.f)
	if err != nil {
		e.t.Fatal(err)
	}
	return src
}

func (e *env) topic(typ string) string { return e.Prefix + typ }

// fileSession creates a session replaying the events of typ to a file at
// rate events per second and returns its id.
func (e *env) fileSession(typ string, rate string) string {
	e.t.Helper()
	out := filepath.Join(e.t.TempDir(), typ+".jsonl")
	r := e.Run("replay", "create", "--type", typ, "--target", "file", "--out", out, "--rate", rate).Want(e.t, 0)
	return strings.TrimSpace(strings.SplitN(r.Stdout, "\n", 2)[0])
}

func (e *env) session(id string) *contract.Session {
	e.t.Helper()
	s, err := e.st.Sessions.Get(e.ctx(), id)
	if err != nil {
		e.t.Fatalf("load session %s: %v", id, err)
	}
	return s
}

func (e *env) insertLease(coll *store.Leases, id string, epoch int64, purpose string, expiresIn time.Duration, released bool) {
	e.t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	d := store.LeaseDoc{SessionID: id, Epoch: epoch, Owner: "host-a/" + id[:4], Purpose: purpose,
		AcquiredAt: now.Add(-time.Minute), RenewedAt: now, ExpiresAt: now.Add(expiresIn), Released: released}
	if err := coll.Insert(e.ctx(), &d); err != nil {
		e.t.Fatalf("insert lease: %v", err)
	}
}

func (e *env) insertRaw(c *mongo.Collection, doc bson.D) {
	e.t.Helper()
	if _, err := c.InsertOne(e.ctx(), doc); err != nil {
		e.t.Fatalf("insert: %v", err)
	}
}

// msg is a dlq_messages document as the platform stores it.
func (e *env) msg(id, typ, status, errText string, failedAgo time.Duration) bson.D {
	failed := e.now.Add(-failedAgo)
	return bson.D{
		{Key: "event", Value: bson.D{
			{Key: "event_id", Value: id}, {Key: "event_type", Value: typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: bson.NewDateTimeFromTime(failed.Add(-time.Second))},
			{Key: "aggregate_id", Value: "exec-" + id[:8]},
			{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "execution-service"}, {Key: "service_version", Value: "2.1.0"},
				{Key: "user_id", Value: "user-1"}, {Key: "environment", Value: "production"}}},
		}},
		{Key: "original_topic", Value: e.topic(typ)},
		{Key: "error", Value: errText},
		{Key: "retry_count", Value: int32(0)},
		{Key: "failed_at", Value: bson.NewDateTimeFromTime(failed)},
		{Key: "status", Value: status},
		{Key: "producer_id", Value: "execution-service-7f9c2"},
		{Key: "created_at", Value: bson.NewDateTimeFromTime(failed)},
		{Key: "headers", Value: bson.D{}},
	}
}

func (e *env) insertMsgs(docs ...bson.D) {
	e.t.Helper()
	all := make([]any, len(docs))
	for i := range docs {
		all[i] = docs[i]
	}
	if _, err := e.st.DLQ.Collection().InsertMany(e.ctx(), all); err != nil {
		e.t.Fatalf("insert DLQ messages: %v", err)
	}
}

func (e *env) dlqStatus(id string) string {
	e.t.Helper()
	var m struct {
		Status string `bson:"status"`
	}
	if err := e.st.DLQ.Collection().FindOne(e.ctx(), bson.D{{Key: "event.event_id", Value: id}}).Decode(&m); err != nil {
		e.t.Fatalf("load DLQ message %s: %v", id, err)
	}
	return m.Status
}

// auditOf returns the audit records of action naming target.
func (e *env) auditOf(action, target string) []audit.Record {
	e.t.Helper()
	q := bson.D{{Key: "action", Value: action}, {Key: "targets", Value: target}}
	return testenv.FindAll[audit.Record](e.t, e.st.Audit().Collection(), q)
}

// wantAudit checks one finished record of action on target by the actor.
func (e *env) wantAudit(action, target string) audit.Record {
	e.t.Helper()
	recs := e.auditOf(action, target)
	if len(recs) != 1 {
		e.t.Fatalf("%d audit records of %s on %s, want 1", len(recs), action, target)
	}
	r := recs[0]
	if r.Actor != actor || r.Outcome != audit.OK || r.FinishedAt == nil {
		e.t.Errorf("audit record of %s: actor %q outcome %q finished %v", action, r.Actor, r.Outcome, r.FinishedAt)
	}
	return r
}
