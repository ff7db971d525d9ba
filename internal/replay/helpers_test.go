package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/integr8scode/replayctl/internal/uuid"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// env is one test's database and topic namespace on the shared stack.
type env struct {
	t      *testing.T
	st     *store.Store
	prefix string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.Database(t)
	return &env{t: t, st: store.FromClient(db.Client(), store.Options{Database: db.Name()}), prefix: testenv.UniqueName(t, "p") + "_"}
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// producer is a client built as the CLI builds it for the test stack:
// ProducerOpts on top, and topic auto-creation, as the harness's settings
// ask for.
func producer(t *testing.T, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts := append([]kgo.Opt{kgo.SeedBrokers(testenv.Shared(t).KafkaBrokers()...), kgo.AllowAutoTopicCreation()}, ProducerOpts()...)
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// service is a Service of its own process identity on e's database.
func (e *env) service(owner string) *Service {
	return &Service{Store: e.st, Kafka: producer(e.t), TopicPrefix: e.prefix, Owner: owner, LeaseTTL: 3 * time.Second}
}

// seeded is one stored event, as a test expects to see it replayed.
type seeded struct {
	id, typ, agg string
	ts           time.Time
}

// seed stores n events of the given types (round robin), one second apart
// from base, as the platform stores them; every third has no aggregate.
func (e *env) seed(n int, types ...string) []seeded {
	e.t.Helper()
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	docs := make([]any, n)
	out := make([]seeded, n)
	for i := range n {
		s := seeded{id: uuid.New(), typ: types[i%len(types)], ts: base.Add(time.Duration(i) * time.Second)}
		var agg any
		if i%3 != 0 {
			s.agg = fmt.Sprintf("exec-%d", i/3)
			agg = s.agg
		}
		docs[i] = bson.D{
			{Key: "event_id", Value: s.id}, {Key: "event_type", Value: s.typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: s.ts}, {Key: "aggregate_id", Value: agg},
			{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "api"}, {Key: "service_version", Value: "1.0.0"},
				{Key: "user_id", Value: "u1"}, {Key: "environment", Value: "test"}}},
			{Key: "execution_id", Value: s.agg}, {Key: "exit_code", Value: int32(i)}, {Key: "stdout", Value: "line\n"},
			{Key: "stored_at", Value: s.ts.Add(time.Millisecond)}, {Key: "ttl_expires_at", Value: s.ts.Add(720 * time.Hour)},
		}
		out[i] = s
	}
	if _, err := e.st.Events.Collection().InsertMany(ctxT(e.t, time.Minute), docs); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// create stores a session from spec and starts it.
func (e *env) createStarted(svc *Service, spec Spec) *contract.Session {
	e.t.Helper()
	ctx := ctxT(e.t, time.Minute)
	sess, err := svc.Create(ctx, spec, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	if sess, err = svc.Start(ctx, sess.SessionID); err != nil {
		e.t.Fatal(err)
	}
	return sess
}

func (e *env) get(id string) *contract.Session {
	e.t.Helper()
	s, err := e.st.Sessions.Get(ctxT(e.t, time.Minute), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// consume waits until topics hold at least want records, then returns
// every record up to their end offsets, so a duplicate beyond want shows.
func consume(t *testing.T, want int, topics ...string) []*kgo.Record {
	t.Helper()
	return testenv.WaitRecords(t, testenv.Shared(t).KafkaBrokers(), want, 30*time.Second, topics...)
}

// idsOf returns the event ids of events.
func idsOf(events []seeded) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = ev.id
	}
	return out
}

// eventIDs counts the replayed event ids in records.
func eventIDs(t *testing.T, recs []*kgo.Record) map[string]int {
	t.Helper()
	ids := map[string]int{}
	for _, r := range recs {
		var v struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("record value is not JSON: %v: %s", err, r.Value)
		}
		ids[v.EventID]++
	}
	return ids
}

func header(r *kgo.Record, key string) (string, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}

func (e *env) topics(types ...string) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = e.prefix + t
	}
	return out
}

func mustRun(t *testing.T, svc *Service, id string, opts RunOptions) *Result {
	t.Helper()
	res, err := svc.Run(ctxT(t, 2*time.Minute), id, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// rawInt reads a numeric field of the stored session document by path.
func (e *env) rawInt(id string, path ...string) (int64, bool) {
	e.t.Helper()
	raw, err := e.st.Sessions.GetRaw(ctxT(e.t, time.Minute), id)
	if err != nil {
		e.t.Fatal(err)
	}
	v, err := raw.LookupErr(path...)
	if err != nil {
		return 0, false
	}
	return v.AsInt64OK()
}

func (e *env) rawEvent(eventID string) bson.Raw {
	e.t.Helper()
	raw, err := e.st.Events.Collection().FindOne(ctxT(e.t, time.Minute), bson.D{{Key: "event_id", Value: eventID}}).Raw()
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}
