package dlqcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// commandTimeout bounds the seeding and reading helpers; -race makes
// FerretDB several times slower.
const commandTimeout = 60 * time.Second

// env is the harness's environment for `replayctl dlq`, with the seeding
// and reading helpers of these tests.
type env struct {
	*clitest.Env
	t      *testing.T
	st     *store.Store
	prefix string
	now    time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clitest.New(t, NewCmdDLQ)
	// A real, fixed clock: the domain compares it with stored dates (7-day
	// drop, due retries), and relative times stay stable.
	now := time.Now().UTC().Truncate(time.Millisecond)
	ce.Now = func() time.Time { return now }
	ce.Vars[config.EnvTimeout] = "30s"
	return &env{Env: ce, t: t, st: ce.Store, prefix: ce.Prefix, now: now}
}

// runOpts describe the terminal a command runs in.
type runOpts struct {
	tty   bool            // stdin, stdout and stderr are a terminal
	stdin string          // what the operator types
	ctx   context.Context // cancelled like main's on Ctrl-C; nil = none
}

func (o runOpts) term() clitest.Term {
	term := clitest.Term{TTY: o.tty, Stdin: o.stdin}
	if o.tty {
		term.Width = 200
	}
	return term
}

func dlqArgs(args []string) []string { return append([]string{"dlq"}, args...) }

// run executes `replayctl dlq args...`.
func (e *env) run(o runOpts, args ...string) clitest.Result {
	e.t.Helper()
	return e.RunWith(o.term(), o.ctx, dlqArgs(args)...)
}

// runRoot executes `replayctl args...` (cobra's own commands such as
// __complete).
func (e *env) runRoot(o runOpts, args ...string) clitest.Result {
	e.t.Helper()
	return e.RunWith(o.term(), o.ctx, args...)
}

// ok runs `dlq args...`, which must succeed, and returns its stdout.
func (e *env) ok(args ...string) string {
	e.t.Helper()
	return e.OK(dlqArgs(args)...)
}

// okJSON runs `dlq args... -o json` and decodes its stdout into v.
func (e *env) okJSON(v any, args ...string) {
	e.t.Helper()
	e.OKJSON(v, dlqArgs(args)...)
}

// okItems runs a list command with -o json and decodes its items into v,
// checking the list shape on the way.
func (e *env) okItems(v any, args ...string) {
	e.t.Helper()
	var doc struct {
		Items   json.RawMessage `json:"items"`
		Total   *int64          `json:"total"`
		Skipped []any           `json:"skipped"`
	}
	e.okJSON(&doc, args...)
	if doc.Total == nil || doc.Skipped == nil || len(doc.Items) == 0 {
		e.t.Fatalf("dlq %s: not the list shape", strings.Join(args, " "))
	}
	reflect.ValueOf(v).Elem().SetZero()
	if err := json.Unmarshal(doc.Items, v); err != nil {
		e.t.Fatalf("dlq %s: decode items: %v", strings.Join(args, " "), err)
	}
}

func (e *env) wantExit(code exitcode.Code, o runOpts, args ...string) clitest.Result {
	e.t.Helper()
	return e.run(o, args...).Want(e.t, code)
}

// msgSpec describes one dlq_messages document to insert.
type msgSpec struct {
	id, typ, status, err string
	retries              int32
	failedAgo            time.Duration
	nextRetryIn          *time.Duration
	headers              bson.D
}

func (e *env) topic(typ string) string { return e.prefix + typ }

// doc builds a document exactly as the platform stores it: BSON dates,
// int32 counters, nulls for unset fields, the event without bookkeeping.
func (e *env) doc(s msgSpec) bson.D {
	failed := e.now.Add(-s.failedAgo)
	var next any
	if s.nextRetryIn != nil {
		next = bson.NewDateTimeFromTime(e.now.Add(*s.nextRetryIn))
	}
	var retried, discarded, reason any
	switch s.status {
	case "retried":
		retried = bson.NewDateTimeFromTime(failed.Add(time.Minute))
	case "discarded":
		discarded, reason = bson.NewDateTimeFromTime(failed.Add(time.Minute)), "max_retries_exceeded"
	}
	headers := s.headers
	if headers == nil {
		headers = bson.D{{Key: "event_type", Value: s.typ}, {Key: "original_topic", Value: e.topic(s.typ)}}
	}
	return bson.D{
		{Key: "event", Value: bson.D{
			{Key: "event_id", Value: s.id}, {Key: "event_type", Value: s.typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: bson.NewDateTimeFromTime(failed.Add(-time.Second))},
			{Key: "aggregate_id", Value: "exec-" + s.id[:8]},
			{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "execution-service"}, {Key: "service_version", Value: "2.1.0"},
				{Key: "user_id", Value: "user-1"}, {Key: "environment", Value: "production"}}},
			{Key: "execution_id", Value: "exec-" + s.id[:8]},
			{Key: "exit_code", Value: int32(1)},
		}},
		{Key: "original_topic", Value: e.topic(s.typ)},
		{Key: "error", Value: s.err},
		{Key: "retry_count", Value: s.retries},
		{Key: "failed_at", Value: bson.NewDateTimeFromTime(failed)},
		{Key: "status", Value: s.status},
		{Key: "producer_id", Value: "execution-service-7f9c2"},
		{Key: "created_at", Value: bson.NewDateTimeFromTime(failed.Add(50 * time.Millisecond))},
		{Key: "last_updated", Value: bson.NewDateTimeFromTime(failed.Add(50 * time.Millisecond))},
		{Key: "next_retry_at", Value: next},
		{Key: "retried_at", Value: retried},
		{Key: "discarded_at", Value: discarded},
		{Key: "discard_reason", Value: reason},
		{Key: "last_error", Value: nil},
		{Key: "dlq_offset", Value: int32(7)},
		{Key: "dlq_partition", Value: int32(0)},
		{Key: "headers", Value: headers},
	}
}

func (e *env) insert(specs ...msgSpec) {
	e.t.Helper()
	docs := make([]any, len(specs))
	for i, s := range specs {
		docs[i] = e.doc(s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if _, err := e.st.DLQ.Collection().InsertMany(ctx, docs); err != nil {
		e.t.Fatalf("insert DLQ messages: %v", err)
	}
}

// stored reads back one message's document by event id.
func (e *env) stored(id string) bson.M {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	var m bson.M
	if err := e.st.DLQ.Collection().FindOne(ctx, bson.D{{Key: "event.event_id", Value: id}}).Decode(&m); err != nil {
		e.t.Fatalf("load DLQ message %s: %v", id, err)
	}
	return m
}

// allDocs returns every dlq_messages document, for before/after comparisons.
func (e *env) allDocs() []bson.M {
	e.t.Helper()
	return testenv.FindAll[bson.M](e.t, e.st.DLQ.Collection(), bson.D{})
}

// recordCount is how many records a topic holds (0 if it does not exist),
// read from the high watermarks, so proving "nothing was sent" needs no wait.
func (e *env) recordCount(topic string) int64 {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	offs, err := kadm.NewClient(testenv.Kafka(e.t)).ListEndOffsets(ctx, topic)
	if err != nil {
		e.t.Fatalf("list end offsets of %s: %v", topic, err)
	}
	var n int64
	offs.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			n += o.Offset
		}
	})
	return n
}

// consume waits until topic holds at least n records, then returns every
// record up to its end offsets, so a duplicate beyond n shows.
func (e *env) consume(topic string, n int) []*kgo.Record {
	e.t.Helper()
	return testenv.WaitRecords(e.t, testenv.Shared(e.t).KafkaBrokers(), n, commandTimeout, topic)
}

// produce writes raw values to a topic, synchronously.
func (e *env) produce(topic string, values ...[]byte) {
	e.t.Helper()
	cl := testenv.Kafka(e.t)
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Topic: topic, Value: v, Key: []byte(fmt.Sprintf("k%d", i))}
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		e.t.Fatalf("produce to %s: %v", topic, err)
	}
}

func dur(d time.Duration) *time.Duration { return &d }

// uuid makes a readable, unique-looking event id from a seed.
func uuid(seed string) string {
	h := fmt.Sprintf("%x", seed)
	for len(h) < 32 {
		h += "0"
	}
	h = h[:32]
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}
