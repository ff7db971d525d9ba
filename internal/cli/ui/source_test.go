package uicmd_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/integr8scode/replayctl/internal/wiring"
)

// seedSessions creates n file sessions (the newest last) over a few events.
func (e *env) seedSessions(n int) []string {
	e.t.Helper()
	testenv.SeedEvents(e.t, e.st.Events.Collection(), "script_saved", 3)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.fileSession("script_saved", "100")
	}
	return ids
}

// A junk document in every collection a view reads: counted and skipped
// by the domain, never a failed refresh.
func (e *env) insertJunk() {
	e.t.Helper()
	future := time.Now().Add(time.Hour)
	e.insertRaw(e.st.Sessions.Collection(), bson.D{{Key: "session_id", Value: 42}, {Key: "status", Value: "running"}, {Key: "created_at", Value: time.Now().Add(-time.Hour)}})
	e.insertRaw(e.st.Leases().Collection(), bson.D{{Key: "_id", Value: "junk:1"}, {Key: "session_id", Value: "junk"},
		{Key: "epoch", Value: "one"}, {Key: "released", Value: false}, {Key: "expires_at", Value: future}, {Key: "purpose", Value: "run"}})
	e.insertRaw(e.st.DLQJobLeases().Collection(), bson.D{{Key: "_id", Value: "junkjob:1"}, {Key: "session_id", Value: 7},
		{Key: "epoch", Value: int64(1)}, {Key: "released", Value: false}, {Key: "expires_at", Value: future}, {Key: "purpose", Value: "run"}})
	e.insertRaw(e.st.DLQJobs().Collection(), bson.D{{Key: "_id", Value: "junkjob"}, {Key: "status", Value: 5}})
	e.insertRaw(e.st.DLQ.Collection(), bson.D{{Key: "event", Value: "not a document"}, {Key: "error", Value: 5},
		{Key: "status", Value: "pending"}, {Key: "original_topic", Value: e.topic("execution_failed")}, {Key: "failed_at", Value: time.Now().Add(-time.Hour)}})
}

func TestSourceSessionsShowLiveRunHolders(t *testing.T) {
	e := newEnv(t)
	ids := e.seedSessions(3)
	oldest, middle, newest := ids[0], ids[1], ids[2]
	leases := e.st.Leases()
	e.insertLease(leases, newest, 1, "run", time.Minute, true)
	e.insertLease(leases, newest, 2, "run", time.Minute, false)
	e.insertLease(leases, middle, 1, "run", -time.Second, false) // expired
	e.insertLease(leases, oldest, 1, "control", time.Minute, false)
	e.insertJunk()
	src := e.source()

	rows, err := src.Sessions(e.ctx(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Session.SessionID != newest || rows[2].Session.SessionID != oldest {
		t.Fatalf("rows: %d, want newest first of 3 (the junk document skipped)", len(rows))
	}
	if h := rows[0].Holder; h == nil || h.Epoch != 2 || !h.Live {
		t.Errorf("newest session's holder = %+v, want the live epoch 2", h)
	}
	if rows[1].Holder != nil || rows[2].Holder != nil {
		t.Errorf("an expired run lease and a control lease are no holders: %+v, %+v", rows[1].Holder, rows[2].Holder)
	}

	rows, err = src.Sessions(e.ctx(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Session.SessionID != newest {
		t.Errorf("limit 2: %d rows", len(rows))
	}

	e.insertRaw(e.st.Requests().Collection(), bson.D{{Key: "session_id", Value: newest}, {Key: "action", Value: 5}, {Key: "requested_at", Value: "yesterday"}})
	info, err := src.Session(e.ctx(), newest[:8])
	if err != nil {
		t.Fatal(err)
	}
	if info.Session.SessionID != newest || info.Holder == nil || info.Holder.Epoch != 2 || len(info.Requests) != 0 {
		t.Errorf("session detail: %s holder %+v", info.Session.SessionID, info.Holder)
	}
}

func TestSourceDLQViews(t *testing.T) {
	e := newEnv(t)
	a, b := "execution_failed", "pod_failed"
	e.insertMsgs(
		e.msg(testenv.UUID(), a, "pending", "connection refused to 10.0.0.1:9092", 5*time.Minute),
		e.msg(testenv.UUID(), a, "scheduled", "connection refused to 10.0.0.2:9092", 4*time.Minute),
		e.msg(testenv.UUID(), a, "retried", "connection refused to 10.0.0.3:9092", 3*time.Minute),
		e.msg(testenv.UUID(), b, "pending", "timeout after 30s", 2*time.Minute),
	)
	newest := testenv.UUID()
	e.insertMsgs(e.msg(newest, b, "pending", "timeout after 31s", time.Minute))
	e.insertJunk()
	src := e.source()

	topics, err := src.DLQTopics(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	byTopic := map[string]int64{}
	for _, s := range topics {
		byTopic[s.Topic] = s.Total
	}
	// The summary counts documents by topic and status, the junk one too
	// (its topic and status are readable), as `dlq topics` does.
	if byTopic[e.topic(a)] != 4 || byTopic[e.topic(b)] != 2 {
		t.Errorf("topics: %v", byTopic)
	}

	groups, err := src.ErrorGroups(e.ctx(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0].Count != 2 || groups[1].Count != 3 {
		t.Fatalf("error groups (newest first): %+v", groups)
	}
	if one, err := src.ErrorGroups(e.ctx(), 1); err != nil || len(one) != 1 {
		t.Errorf("error groups, limit 1: %d, %v", len(one), err)
	}

	msgs, total, err := src.Messages(e.ctx(), dlq.ListFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	// The count is of documents matching the filter, the junk one too, as
	// `dlq list` reports it.
	if len(msgs) != 2 || msgs[0].EventID() != newest || total != 6 {
		t.Errorf("messages: %d, total %d", len(msgs), total)
	}
	pending, _, err := src.Messages(e.ctx(), dlq.ListFilter{Limit: 10, Statuses: []contract.DLQStatus{contract.DLQScheduled}})
	if err != nil || len(pending) != 1 {
		t.Errorf("scheduled messages: %d, %v", len(pending), err)
	}

	e.insertRaw(e.st.DLQEdits().Collection(), bson.D{{Key: "event_id", Value: newest}, {Key: "kind", Value: 5}, {Key: "at", Value: "now"}})
	d, err := src.Message(e.ctx(), newest[:8])
	if err != nil {
		t.Fatal(err)
	}
	if d.Message.EventID() != newest || d.Policy == nil || d.Policy.Policy.MaxRetries == 0 || d.Edits == nil || len(d.Edits.Edits) != 0 {
		t.Errorf("message detail: %s policy %+v edits %+v", d.Message.EventID(), d.Policy, d.Edits)
	}
}

func TestSourceJobsAndWorkers(t *testing.T) {
	e := newEnv(t)
	e.insertMsgs(e.msg(testenv.UUID(), "execution_failed", "pending", "boom", time.Minute))
	e.Run("dlq", "retry", "--all", "--status", "pending", "--detach", "--yes").Want(t, 0)
	e.Run("dlq", "retry", "--all", "--status", "pending", "--detach", "--yes").Want(t, 0)
	sessions := e.seedSessions(2)
	e.insertLease(e.st.Leases(), sessions[0], 1, "run", time.Minute, false)
	e.insertLease(e.st.Leases(), sessions[1], 1, "run", -time.Second, false)
	e.insertJunk()
	src := e.source()

	jobs, err := src.Jobs(e.ctx(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].CreatedAt.Before(jobs[1].CreatedAt) {
		t.Fatalf("jobs: %d, want 2 newest first (the junk one skipped)", len(jobs))
	}
	if one, err := src.Jobs(e.ctx(), 1); err != nil || len(one) != 1 {
		t.Errorf("jobs, limit 1: %d, %v", len(one), err)
	}
	e.insertLease(e.st.DLQJobLeases(), jobs[0].ID, 1, "run", time.Minute, false)
	e.insertLease(e.st.DLQJobLeases(), jobs[1].ID, 1, "run", time.Minute, true)

	ws, err := src.Workers(e.ctx(), 10)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, w := range ws {
		kinds[w.Kind] = w.ID
		if w.Owner == "" || w.Since.IsZero() || w.RenewedAt.IsZero() || !w.ExpiresAt.After(time.Now()) {
			t.Errorf("holding %+v", w)
		}
	}
	if len(ws) != 2 || kinds["session"] != sessions[0] || kinds["job"] != jobs[0].ID {
		t.Errorf("workers: %+v, want the live session lease and the live job lease", ws)
	}
	if one, err := src.Workers(e.ctx(), 1); err != nil || len(one) != 1 {
		t.Errorf("workers, limit 1: %d, %v", len(one), err)
	}
}

// A job whose cancel waits for its live holder is marked in the jobs view
// (shown as cancelling), as `dlq jobs list` marks it; the other is not.
func TestSourceJobsMarkACancelWaitingForItsHolder(t *testing.T) {
	e := newEnv(t)
	e.insertMsgs(e.msg(testenv.UUID(), "execution_failed", "pending", "boom", time.Minute))
	e.Run("dlq", "retry", "--all", "--status", "pending", "--detach", "--yes").Want(t, 0)
	e.Run("dlq", "retry", "--all", "--status", "pending", "--detach", "--yes").Want(t, 0)
	src := e.source()
	jobs, err := src.Jobs(e.ctx(), 10)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("jobs: %d, %v", len(jobs), err)
	}
	if jobs[0].CancelRequested || jobs[1].CancelRequested {
		t.Fatal("a job is marked cancelling before any cancel")
	}
	held := jobs[1].ID
	e.insertLease(e.st.DLQJobLeases(), held, 1, "run", time.Minute, false)
	e.Run("dlq", "jobs", "cancel", held).Want(t, 0)
	if jobs, err = src.Jobs(e.ctx(), 10); err != nil || len(jobs) != 2 {
		t.Fatalf("jobs: %d, %v", len(jobs), err)
	}
	for _, j := range jobs {
		if j.CancelRequested != (j.ID == held) {
			t.Errorf("job %s: cancel requested %v, want %v", j.ID, j.CancelRequested, j.ID == held)
		}
	}
	var listed struct {
		Items []struct {
			ID              string `json:"job_id"`
			CancelRequested bool   `json:"cancel_requested"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(e.Run("dlq", "jobs", "list", "-o", "json").Want(t, 0).Stdout), &listed); err != nil || len(listed.Items) != 2 {
		t.Fatalf("dlq jobs list: %+v, %v", listed, err)
	}
	for _, j := range listed.Items {
		if j.CancelRequested != (j.ID == held) {
			t.Errorf("dlq jobs list, job %s: cancel_requested %v, want %v", j.ID, j.CancelRequested, j.ID == held)
		}
	}
}

// Ping answers within its deadline when MongoDB is unreachable, names it,
// and recovers by itself once MongoDB is back.
func TestSourcePingNamesAnUnreachableMongoDBAndRecovers(t *testing.T) {
	e := newEnv(t)
	proxy := testenv.MongoProxy(t, testenv.Shared(t).MongoURI())
	e.f.Close()
	e.Vars[config.EnvMongoURI] = proxy.URI(testenv.Shared(t).MongoURI())
	ios, _, _ := clitest.Term{}.Streams()
	e.f = e.NewFactory(ios)
	t.Cleanup(e.f.Close)
	src := e.source()
	proxy.Down()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	began := time.Now()
	h := src.Ping(ctx)
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("ping took %v with a 3s deadline", took)
	}
	if h.Mongo == nil || h.Kafka != nil {
		t.Fatalf("MongoDB down: mongo %v, kafka %v", h.Mongo, h.Kafka)
	}
	if _, err := src.Sessions(ctx, 5); err == nil {
		t.Error("sessions with MongoDB down: no error")
	}

	// A refresh with a long deadline is still dialling MongoDB; a view call
	// and a ping with short deadlines answer within their own, not after it.
	dialling := make(chan struct{})
	var once sync.Once
	src = dashboard.NewSource(dashboard.SourceConfig{Brokers: testenv.Shared(t).KafkaBrokers(), Kafka: e.f.Kafka,
		Wiring: func(ctx context.Context) (*wiring.Wiring, error) {
			once.Do(func() { close(dialling) })
			return e.f.Wiring(ctx)
		}})
	slow, cancelSlow := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancelSlow()
	slowDone := make(chan error, 1)
	go func() { _, err := src.Sessions(slow, 5); slowDone <- err }()
	select {
	case <-dialling:
	case <-time.After(opTimeout):
		t.Fatal("the slow refresh never dialled")
	}
	for name, call := range map[string]func(context.Context) error{
		"jobs": func(ctx context.Context) error { _, err := src.Jobs(ctx, 5); return err },
		"ping": func(ctx context.Context) error { return src.Ping(ctx).Mongo },
	} {
		short, cancelShort := context.WithTimeout(context.Background(), time.Second)
		began := time.Now()
		err := call(short)
		took := time.Since(began)
		cancelShort()
		if err == nil {
			t.Errorf("%s with MongoDB down: no error", name)
		}
		if took > 3*time.Second {
			t.Errorf("%s with a 1s deadline took %v behind a dialling refresh", name, took)
		}
	}
	slowEnded := false
	select {
	case <-slowDone:
		slowEnded = true
		t.Error("the slow refresh ended before the short calls: the test did not overlap them")
	default:
	}

	proxy.Up()
	if !slowEnded {
		<-slowDone
	}
	testenv.Eventually(t, opTimeout, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return src.Ping(ctx).Mongo == nil
	}, "ping to recover once MongoDB is back")
	if _, err := src.Sessions(e.ctx(), 5); err != nil {
		t.Errorf("sessions after recovery: %v", err)
	}
}

// With more live run leases than the limit, the workers view keeps the
// most recently taken ones, not the highest epochs.
func TestSourceWorkersKeepsTheNewestLeasesBeyondTheLimit(t *testing.T) {
	e := newEnv(t)
	sessions := e.seedSessions(2)
	old, fresh := sessions[0], sessions[1]
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, d := range []store.LeaseDoc{
		{SessionID: old, Epoch: 7, Owner: "host-a/1", Purpose: "run", AcquiredAt: now.Add(-time.Hour), RenewedAt: now, ExpiresAt: now.Add(time.Minute)},
		{SessionID: fresh, Epoch: 1, Owner: "host-b/2", Purpose: "run", AcquiredAt: now.Add(-time.Second), RenewedAt: now, ExpiresAt: now.Add(time.Minute)},
	} {
		if err := e.st.Leases().Insert(e.ctx(), &d); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := e.source().Workers(e.ctx(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].ID != fresh {
		t.Errorf("workers, limit 1: %+v, want the lease of %s taken a second ago", ws, fresh)
	}
}
