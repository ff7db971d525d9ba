package dashboard

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/store"
)

// t0 is the fixtures' "now": every golden frame is drawn at this time or a
// fixed step after it.
var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for the model and the fakes.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeSource serves fixed data and counts its calls, so tests can tell
// which queries a refresh made.
type fakeSource struct {
	mu       sync.Mutex
	calls    map[string]int
	pingErr  error
	sessions []SessionRow
	topics   []dlq.TopicSummary
	groups   []dlq.ErrorGroup
	messages []contract.DLQMessage
	jobs     []JobRow
	workers  []Holding
	// gate, when set, holds every Sessions call until it is closed or the
	// call's deadline passes.
	gate chan struct{}
	// hang, when set, holds every Sessions call until it is closed,
	// whatever the call's deadline: a source that ignores its context.
	hang chan struct{}
	// msgErr, when set, fails every Messages call.
	msgErr error
}

// Hang makes Sessions ignore its deadline and block until the test ends.
func (f *fakeSource) Hang(t interface{ Cleanup(func()) }) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := make(chan struct{})
	f.hang = g
	t.Cleanup(func() { close(g) })
}

// Prepend puts a session at the top of the list, as a new one would be.
func (f *fakeSource) Prepend(r SessionRow) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions = append([]SessionRow{r}, f.sessions...)
}

// Block makes Sessions wait until the returned function is called.
func (f *fakeSource) Block() (release func()) { return newGate(&f.mu, &f.gate) }

// newGate sets *slot, under mu, to a new gate, and returns what opens it.
func newGate(mu *sync.Mutex, slot *chan struct{}) (release func()) {
	mu.Lock()
	defer mu.Unlock()
	g := make(chan struct{})
	*slot = g
	return func() { close(g) }
}

func (f *fakeSource) count(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
}

// Calls is a copy of the call counts.
func (f *fakeSource) Calls() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

func (f *fakeSource) SetPingErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pingErr = err
}

// Progress adds n replayed events to session i.
func (f *fakeSource) Progress(i int, n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[i].Session.ReplayedEvents += n
}

func (f *fakeSource) Ping(context.Context) Health {
	f.count("Ping")
	f.mu.Lock()
	defer f.mu.Unlock()
	return Health{Context: "dev", Mongo: f.pingErr, Took: time.Millisecond}
}

// down is the error every query returns while Ping fails, as a real
// source's queries would.
func (f *fakeSource) down() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pingErr
}

func (f *fakeSource) Sessions(ctx context.Context, limit int64) ([]SessionRow, error) {
	f.count("Sessions")
	f.mu.Lock()
	gate, hang := f.gate, f.hang
	f.mu.Unlock()
	if hang != nil {
		<-hang
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err := f.down(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]SessionRow, len(f.sessions))
	copy(out, f.sessions)
	return out[:min(int64(len(out)), limit)], nil
}

func (f *fakeSource) Session(_ context.Context, id string) (*replay.Info, error) {
	f.count("Session")
	if err := f.down(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.sessions {
		if r.Session.SessionID == id {
			s := r.Session
			return &replay.Info{Session: &s, Holder: r.Holder, Requests: []replay.Request{}}, nil
		}
	}
	return nil, fmt.Errorf("session %s not found", id)
}

func (f *fakeSource) DLQTopics(context.Context) ([]dlq.TopicSummary, error) {
	f.count("DLQTopics")
	return f.topics, f.down()
}

func (f *fakeSource) ErrorGroups(_ context.Context, _ int64) ([]dlq.ErrorGroup, error) {
	f.count("ErrorGroups")
	return f.groups, f.down()
}

func (f *fakeSource) Messages(_ context.Context, lf dlq.ListFilter) ([]contract.DLQMessage, int64, error) {
	f.count("Messages")
	if err := f.down(); err != nil {
		return nil, 0, err
	}
	if f.msgErr != nil {
		return nil, 0, f.msgErr
	}
	// As dlq.List: the substring filter, then the page (newest first is
	// the fixture's order).
	var out []contract.DLQMessage
	for _, m := range f.messages {
		if lf.ErrorContains == "" || containsFold(m.Error, lf.ErrorContains) {
			out = append(out, m)
		}
	}
	total := int64(len(out))
	out = out[min(lf.Offset, total):]
	if lf.Limit > 0 {
		out = out[:min(lf.Limit, int64(len(out)))]
	}
	return out, total, nil
}

func (f *fakeSource) Message(_ context.Context, id string) (*MessageDetail, error) {
	f.count("Message")
	if err := f.down(); err != nil {
		return nil, err
	}
	for _, m := range f.messages {
		if m.EventID() == id {
			return messageDetail(m), nil
		}
	}
	return nil, fmt.Errorf("message %s not found", id)
}

func (f *fakeSource) Jobs(_ context.Context, _ int64) ([]JobRow, error) {
	f.count("Jobs")
	f.mu.Lock()
	jobs := slices.Clone(f.jobs)
	f.mu.Unlock()
	return jobs, f.down()
}

// RequestCancel marks job i as having a cancel request waiting for its
// holder.
func (f *fakeSource) RequestCancel(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs[i].CancelRequested = true
}

func (f *fakeSource) Workers(_ context.Context, _ int64) ([]Holding, error) {
	f.count("Workers")
	return f.workers, f.down()
}

// fakeActions records what it was asked to do.
type fakeActions struct {
	mu     sync.Mutex
	did    []string
	groups map[string]int64 // Count of an error group
	fail   error
	// hold, when set, holds every action until it is closed.
	hold chan struct{}
	// countHolds are the gates of the next Count calls, one each.
	countHolds []chan struct{}
	// editHold, when set, holds every Edit until it is closed.
	editHold chan struct{}
}

// Hold makes actions wait until the returned function is called.
func (a *fakeActions) Hold() (release func()) { return newGate(&a.mu, &a.hold) }

// HoldCount makes the next Count call wait until the returned function
// is called.
func (a *fakeActions) HoldCount() (release func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	g := make(chan struct{})
	a.countHolds = append(a.countHolds, g)
	return func() { close(g) }
}

func (a *fakeActions) record(s string) (string, error) {
	a.mu.Lock()
	hold := a.hold
	a.mu.Unlock()
	if hold != nil {
		<-hold
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.did = append(a.did, s)
	if a.fail != nil {
		return "", a.fail
	}
	return "Done: " + s, nil
}

func (a *fakeActions) Fail(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail = err
}

// Did is a copy of the recorded actions.
func (a *fakeActions) Did() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.did...)
}

func (a *fakeActions) PauseSession(_ context.Context, id string) (string, error) {
	return a.record("pause " + id)
}

func (a *fakeActions) ResumeSession(_ context.Context, id string) (string, error) {
	return a.record("resume " + id)
}

func (a *fakeActions) CancelSession(_ context.Context, id string) (string, error) {
	return a.record("cancel " + id)
}

// Count is what the action would meet: the marked messages, or the
// group's size.
func (a *fakeActions) Count(_ context.Context, sel Selection) (int64, error) {
	a.mu.Lock()
	var hold chan struct{}
	if len(a.countHolds) > 0 {
		hold, a.countHolds = a.countHolds[0], a.countHolds[1:]
	}
	a.mu.Unlock()
	if hold != nil {
		<-hold
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if sel.ErrorPattern != "" {
		return a.groups[sel.ErrorPattern], nil
	}
	return int64(len(sel.EventIDs)), nil
}

func (a *fakeActions) Retry(_ context.Context, sel Selection) (string, error) {
	return a.record(fmt.Sprintf("retry %v %q", sel.EventIDs, sel.ErrorPattern))
}

func (a *fakeActions) Discard(_ context.Context, sel Selection, reason string) (string, error) {
	return a.record(fmt.Sprintf("discard %v %q reason=%q", sel.EventIDs, sel.ErrorPattern, reason))
}

func (a *fakeActions) Edit(_ context.Context, id string) (*EditSession, error) {
	a.mu.Lock()
	hold := a.editHold
	a.mu.Unlock()
	if hold != nil {
		<-hold
	}
	return &EditSession{
		Cmd: exec.Command("true"),
		Finish: func(_ context.Context, editorErr error) (string, error) {
			if editorErr != nil {
				return "", editorErr
			}
			return a.record("edit " + id)
		},
		Discard: func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.did = append(a.did, "discard edit "+id)
		},
	}, nil
}

// HoldEdit makes the next Edit calls wait until the returned function is
// called, as a slow read of the message would.
func (a *fakeActions) HoldEdit() (release func()) { return newGate(&a.mu, &a.editHold) }

func (a *fakeActions) CancelJob(_ context.Context, id string) (string, error) {
	return a.record("cancel job " + id)
}

var errMongoDown = errors.New("server selection error: context deadline exceeded, current topology: { Type: Single, Servers: [{ Addr: 127.0.0.1:27017, Type: Unknown }] }")

func ptr[T any](v T) *T { return &v }

func event(id, typ string) bson.Raw {
	raw, err := bson.Marshal(bson.D{
		{Key: "event_id", Value: id}, {Key: "event_type", Value: typ},
		{Key: "payload", Value: bson.D{{Key: "order_id", Value: "o-991"}, {Key: "amount", Value: 42.5}, {Key: "paid", Value: true}}},
	})
	if err != nil {
		panic(err)
	}
	return raw
}

// newFakes are the fixtures: three sessions, two DLQ topics, two error
// groups, three messages, two jobs and two leases.
func newFakes() (*fakeSource, *fakeActions) {
	started := t0.Add(-10 * time.Minute)
	ended := t0.Add(-time.Hour)
	running := contract.Session{
		SessionID: "3f1c9a1e2b4d5e6f7a8b9c0d", Status: contract.StatusRunning,
		Config: contract.SessionConfig{ReplayType: contract.ReplayTypeEventType, Target: contract.TargetKafka,
			Filter:          contract.Filter{EventTypes: []string{"order.created", "order.paid"}, StartTime: ptr(t0.Add(-48 * time.Hour))},
			SpeedMultiplier: contract.NoPacing},
		TotalEvents: 20000, ReplayedEvents: 6000, FailedEvents: 12, SkippedEvents: 3,
		CreatedAt: started.Add(-time.Minute), StartedAt: &started, CreatedBy: ptr("alice@ops"),
		Errors: []contract.SessionError{{Timestamp: t0.Add(-2 * time.Minute), Error: "send to topic orders failed: MESSAGE_TOO_LARGE", EventID: ptr("ev-0042")}},
		Replayctl: &contract.SessionExt{Epoch: 2, Owner: "worker-a/4121", RateLimit: 500, PossibleDuplicates: 4,
			Checkpoint:     &contract.Checkpoint{Timestamp: t0.Add(-47 * time.Hour), EventID: "ev-6015"},
			CheckpointedAt: ptr(t0.Add(-3 * time.Second))},
	}
	paused := contract.Session{
		SessionID: "9b2d4f6a8c0e1f2a3b4c5d6e", Status: contract.StatusPaused,
		Config:      contract.SessionConfig{ReplayType: contract.ReplayTypeTimeRange, Target: contract.TargetKafka, SpeedMultiplier: 1},
		TotalEvents: 5000, ReplayedEvents: 2500, CreatedAt: t0.Add(-2 * time.Hour), StartedAt: ptr(t0.Add(-2 * time.Hour)),
	}
	done := contract.Session{
		SessionID: "c4e6a8b0d2f4a6b8c0d2e4f6", Status: contract.StatusCompleted,
		Config:      contract.SessionConfig{ReplayType: contract.ReplayTypeExecution, Target: contract.TargetFile, SpeedMultiplier: contract.NoPacing},
		TotalEvents: 800, ReplayedEvents: 800, CreatedAt: t0.Add(-3 * time.Hour), StartedAt: ptr(t0.Add(-3 * time.Hour)), CompletedAt: &ended,
	}
	src := &fakeSource{
		calls: map[string]int{},
		sessions: []SessionRow{
			{Session: running, Holder: &replay.Lease{SessionID: running.SessionID, Epoch: 2, Owner: "worker-a/4121", Purpose: "run", Since: started, ExpiresAt: t0.Add(25 * time.Second), Live: true}},
			{Session: paused},
			{Session: done},
		},
		topics: []dlq.TopicSummary{
			{Topic: "prod.orders", Total: 1240, ByStatus: map[string]int64{"pending": 900, "scheduled": 200, "retried": 100, "discarded": 40}, OldestFailure: t0.Add(-72 * time.Hour), NewestFailure: t0.Add(-30 * time.Second)},
			{Topic: "prod.payments", Total: 17, ByStatus: map[string]int64{"pending": 2, "retried": 15}, OldestFailure: t0.Add(-5 * time.Hour), NewestFailure: t0.Add(-2 * time.Hour)},
		},
		groups: []dlq.ErrorGroup{
			{Pattern: dlq.NormalizeError("timeout after 30s calling 'inventory'"), Example: "timeout after 30s calling 'inventory'", Count: 37, Topics: []string{"prod.orders"}, EventTypes: []string{"order.created"}, FirstSeen: t0.Add(-72 * time.Hour), LastSeen: t0.Add(-30 * time.Second)},
			{Pattern: dlq.NormalizeError("schema validation failed at field amount"), Example: "schema validation failed at field amount", Count: 3, Topics: []string{"prod.payments"}, EventTypes: []string{"payment.captured"}, FirstSeen: t0.Add(-5 * time.Hour), LastSeen: t0.Add(-2 * time.Hour)},
		},
		jobs: []JobRow{
			{Job: dlqjob.Job{ID: "j7a1b2c3d4e5f6a7b8c9d0e1", Kind: dlqjob.KindRetry, ToMove: 400, Rate: 20, Status: dlqjob.StatusRunning,
				CreatedAt: t0.Add(-2 * time.Minute), StartedAt: ptr(t0.Add(-100 * time.Second)), Counters: dlqjob.Counters{Done: 150, Failed: 10},
				Holder: dlqjob.Holder{Owner: "worker-b/77", Epoch: 1, Since: ptr(t0.Add(-100 * time.Second))}}},
			{Job: dlqjob.Job{ID: "j0f9e8d7c6b5a4f3e2d1c0b9", Kind: dlqjob.KindDiscard, ToMove: 40, Status: dlqjob.StatusCompleted,
				CreatedAt: t0.Add(-time.Hour), StartedAt: ptr(t0.Add(-time.Hour)), FinishedAt: ptr(t0.Add(-59 * time.Minute)), Counters: dlqjob.Counters{Done: 40}}},
		},
		workers: []Holding{
			{Kind: "session", ID: running.SessionID, Owner: "worker-a/4121", Epoch: 2, Since: started, RenewedAt: t0.Add(-4 * time.Second), ExpiresAt: t0.Add(26 * time.Second)},
			{Kind: "job", ID: "j7a1b2c3d4e5f6a7b8c9d0e1", Owner: "worker-b/77", Epoch: 1, Since: t0.Add(-100 * time.Second), RenewedAt: t0.Add(-2 * time.Second), ExpiresAt: t0.Add(28 * time.Second)},
		},
	}
	for i, e := range []struct{ id, typ, topic, err string }{
		{"ev-7d1e2f3a4b5c6d7e", "order.created", "prod.orders", "timeout after 30s calling 'inventory'"},
		{"ev-8a9b0c1d2e3f4a5b", "order.created", "prod.orders", "timeout after 45s calling 'inventory'"},
		{"ev-1c2d3e4f5a6b7c8d", "payment.captured", "prod.payments", "schema validation failed at field amount"},
	} {
		src.messages = append(src.messages, contract.DLQMessage{
			Event: event(e.id, e.typ), OriginalTopic: e.topic, Error: e.err, RetryCount: int64(i),
			FailedAt: t0.Add(-time.Duration(i+1) * time.Minute), CreatedAt: t0.Add(-time.Duration(i+1) * time.Minute),
			Status: contract.DLQPending, ProducerID: "orders-svc",
			Headers: map[string]string{"trace_id": "t-" + e.id, "content-type": "application/json"},
		})
	}
	act := &fakeActions{groups: map[string]int64{}}
	for _, g := range src.groups {
		act.groups[g.Pattern] = g.Count
	}
	return src, act
}

// messageDetail adds a policy and an edit to a message.
func messageDetail(m contract.DLQMessage) *MessageDetail {
	return &MessageDetail{
		Message: m,
		Policy:  &dlq.Resolved{Policy: dlq.DefaultPolicy(dlq.StrategyExponential), Source: "preset", Preset: "default"},
		Edits: &dlq.EditHistory{Edits: []store.DLQEdit{{
			EventID: m.EventID(), Kind: store.DLQEditRecord, At: t0.Add(-30 * time.Second), Who: "bob@ops", Reason: "fix amount",
			Changes: []store.DLQEditChange{{Path: "payload.amount"}},
		}}},
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
