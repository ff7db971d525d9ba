package seed_test

import (
	"context"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var (
	now    = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	// contractTypes are the event_type strings of CONTRACT.md.
	contractTypes = strings.Fields(`execution_requested execution_accepted execution_queued execution_started
		execution_running execution_completed execution_failed execution_timeout execution_cancelled
		pod_created pod_scheduled pod_running pod_succeeded pod_failed pod_terminated pod_deleted
		user_registered user_login user_logged_in user_logged_out user_updated user_deleted user_settings_updated
		notification_created notification_sent notification_delivered notification_failed notification_read
		notification_all_read notification_clicked notification_preferences_updated
		script_saved script_deleted script_shared security_violation rate_limit_exceeded auth_failed
		resource_limit_exceeded quota_exceeded system_error service_unhealthy service_recovered
		result_stored result_failed saga_started saga_completed saga_failed saga_cancelled saga_compensating
		saga_compensated create_pod_command delete_pod_command allocate_resources_command release_resources_command
		dlq_message_received dlq_message_retried dlq_message_discarded`)
)

type seeded struct {
	res    seed.Result
	events []doc
	dlq    []doc
}

// small is one 200-event seed shared by the read-only tests: seeding is the
// slow part (seconds under -race), checking it is not.
var small struct {
	once        sync.Once
	res         seed.Result
	events, dlq []bson.Raw
	err         error
}

// seedSmall returns the shared seed of 200 events (topic prefix "dev_").
func seedSmall(t *testing.T) seeded {
	t.Helper()
	uri := testenv.Shared(t).MongoURI()
	small.once.Do(func() { small.res, small.events, small.dlq, small.err = seedAndRead(uri) })
	if small.err != nil {
		t.Fatalf("seed 200 events: %v", small.err)
	}
	return seeded{small.res, wrap(t, small.events), wrap(t, small.dlq)}
}

func seedAndRead(uri string) (seed.Result, []bson.Raw, []bson.Raw, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return seed.Result{}, nil, nil, err
	}
	defer func() { _ = c.Disconnect(ctx) }()
	db := c.Database("seed_small")
	defer func() { _ = db.Drop(ctx) }()
	opts := seed.Options{Events: 200, Now: now, Rand: rand.New(rand.NewPCG(7, 8)), TopicPrefix: "dev_"}
	res, err := seed.Seed(ctx, db, opts)
	if err != nil {
		return res, nil, nil, err
	}
	var events, dlq []bson.Raw
	if err := readAll(ctx, db.Collection("events"), &events); err != nil {
		return res, nil, nil, err
	}
	return res, events, dlq, readAll(ctx, db.Collection("dlq_messages"), &dlq)
}

func readAll(ctx context.Context, coll *mongo.Collection, out *[]bson.Raw) error {
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}

func TestSeedInsertsExactlyNEventsInContractShape(t *testing.T) {
	t.Parallel()
	s := seedSmall(t)
	if s.res.Events != 200 || len(s.events) != 200 {
		t.Fatalf("Result.Events = %d, stored %d, want 200", s.res.Events, len(s.events))
	}
	ids := map[string]bool{}
	types := map[string]int{}
	for _, d := range s.events {
		checkCommonFields(t, d)
		id := d.str("event_id")
		if ids[id] {
			t.Fatalf("event_id %s twice", id)
		}
		ids[id] = true
		types[d.str("event_type")]++
	}
	for _, want := range []string{"execution_requested", "pod_running", "execution_completed", "saga_started",
		"create_pod_command", "pod_deleted", "result_stored", "notification_created"} {
		if types[want] == 0 {
			t.Errorf("no %s among %v", want, types)
		}
	}
	if !slices.ContainsFunc(s.events, func(d doc) bool { return strings.HasPrefix(d.str("event_type"), "user_") }) {
		t.Error("no user_* events")
	}
}

func checkCommonFields(t *testing.T, d doc) {
	t.Helper()
	if !uuidV4.MatchString(d.str("event_id")) {
		t.Errorf("event_id %q is not a UUID v4", d.str("event_id"))
	}
	if typ := d.str("event_type"); !slices.Contains(contractTypes, typ) {
		t.Errorf("event_type %q not in the contract", typ)
	}
	if v := d.str("event_version"); v != "1.0" {
		t.Errorf("event_version = %q", v)
	}
	ts := d.date("timestamp")
	if ts.Before(now.Add(-72*time.Hour)) || ts.After(now) {
		t.Errorf("timestamp %v outside the 3 days before %v", ts, now)
	}
	if !d.isNull("aggregate_id") {
		d.str("aggregate_id")
	}
	m := d.sub("metadata")
	m.str("service_name")
	m.str("user_id")
	if m.str("service_version") != "1.0.0" || m.str("environment") != "development" {
		t.Errorf("metadata = %s", m.raw)
	}
	stored := d.date("stored_at")
	if stored.Before(ts) || !d.date("ttl_expires_at").Equal(stored.Add(30*24*time.Hour)) {
		t.Errorf("stored_at %v / ttl_expires_at %v inconsistent with timestamp %v", stored, d.date("ttl_expires_at"), ts)
	}
	if d.has("execution_id") {
		d.str("execution_id")
	}
}

// Each execution's events share execution_id, aggregate_id and user, start
// with the request and follow the platform's order.
func TestSeedExecutionsAreConsistent(t *testing.T) {
	t.Parallel()
	s := seedSmall(t)
	byExec := map[string][]doc{}
	for _, d := range s.events {
		if d.has("execution_id") {
			id := d.str("execution_id")
			byExec[id] = append(byExec[id], d)
		}
	}
	if len(byExec) != s.res.Executions || len(byExec) < 5 {
		t.Fatalf("%d executions stored, Result.Executions = %d, want equal and several", len(byExec), s.res.Executions)
	}
	for id, evs := range byExec {
		slices.SortStableFunc(evs, func(a, b doc) int { return a.date("timestamp").Compare(b.date("timestamp")) })
		checkExecution(t, id, evs)
	}
}

func checkExecution(t *testing.T, id string, evs []doc) {
	t.Helper()
	var seq []string
	user := evs[0].str("metadata", "user_id")
	for _, d := range evs {
		seq = append(seq, d.str("event_type"))
		if d.str("aggregate_id") != id || d.str("metadata", "user_id") != user {
			t.Errorf("execution %s: event %s has aggregate %s user %s", id, d.str("event_type"),
				d.str("aggregate_id"), d.str("metadata", "user_id"))
		}
	}
	want := []string{"execution_requested", "execution_accepted", "execution_queued", "saga_started"}
	if !isPrefix(seq, want) && !isPrefix(want, seq) {
		t.Errorf("execution %s starts %v, want %v", id, seq, want)
	}
	for _, d := range evs {
		if d.str("event_type") == "execution_completed" {
			checkResourceUsage(t, d.sub("resource_usage"))
			if d.integer("exit_code") != 0 {
				t.Errorf("completed execution %s has exit_code %d", id, d.integer("exit_code"))
			}
		}
	}
}

func isPrefix(long, short []string) bool {
	return len(short) <= len(long) && slices.Equal(long[:len(short)], short)
}

func checkResourceUsage(t *testing.T, ru doc) {
	t.Helper()
	if _, ok := ru.value("execution_time_wall_seconds").DoubleOK(); !ok {
		t.Errorf("execution_time_wall_seconds not a double in %s", ru.raw)
	}
	if ru.integer("clk_tck_hertz") != 100 || ru.integer("peak_memory_kb") <= 0 || ru.integer("cpu_time_jiffies") < 0 {
		t.Errorf("implausible resource_usage %s", ru.raw)
	}
}

func TestSeedDLQMessagesAreConsistent(t *testing.T) {
	t.Parallel()
	s := seedSmall(t)
	if s.res.DLQMessages != 20 || len(s.dlq) != 20 {
		t.Fatalf("Result.DLQMessages = %d, stored %d, want max(20, 200/50) = 20", s.res.DLQMessages, len(s.dlq))
	}
	stored := map[string]bool{}
	for _, d := range s.events {
		stored[d.str("event_id")] = true
	}
	byStatus := map[string]int{}
	for _, d := range s.dlq {
		checkDLQMessage(t, d, stored)
		byStatus[d.str("status")]++
	}
	if !maps.Equal(byStatus, s.res.DLQByStatus) {
		t.Errorf("stored statuses %v, Result.DLQByStatus %v", byStatus, s.res.DLQByStatus)
	}
	for _, st := range []string{seed.StatusPending, seed.StatusScheduled, seed.StatusRetried, seed.StatusDiscarded} {
		if byStatus[st] == 0 {
			t.Errorf("no %s message among %v", st, byStatus)
		}
	}
}

func checkDLQMessage(t *testing.T, d doc, stored map[string]bool) {
	t.Helper()
	ev := d.sub("event")
	for _, k := range []string{"_id", "stored_at", "ttl_expires_at"} {
		if ev.has(k) {
			t.Errorf("DLQ event carries bookkeeping field %s", k)
		}
	}
	if !stored[ev.str("event_id")] {
		t.Errorf("DLQ event %s is not a stored event", ev.str("event_id"))
	}
	typ := ev.str("event_type")
	if got := d.str("original_topic"); got != "dev_"+typ {
		t.Errorf("original_topic %q for event type %q", got, typ)
	}
	if d.str("error") == "" || d.str("producer_id") == "" {
		t.Errorf("empty error or producer_id in %s", d.raw)
	}
	failed, created := d.date("failed_at"), d.date("created_at")
	if failed.Before(ev.date("timestamp")) || created.Before(failed) || created.After(now) {
		t.Errorf("times out of order: event %v failed %v created %v", ev.date("timestamp"), failed, created)
	}
	if p := d.integer("dlq_partition"); p < 0 || p > 2 || d.integer("dlq_offset") < 0 {
		t.Errorf("dlq position %d/%d", p, d.integer("dlq_offset"))
	}
	checkHeaders(t, d.sub("headers"))
	checkStatusFields(t, d, seed.MaxRetries(typ))
}

func checkHeaders(t *testing.T, h doc) {
	t.Helper()
	vals, err := h.raw.Elements()
	if err != nil || len(vals) == 0 {
		t.Fatalf("headers %s: %v", h.raw, err)
	}
	for _, el := range vals {
		if el.Value().Type != bson.TypeString {
			t.Errorf("header %s is %s, want string", el.Key(), el.Value().Type)
		}
	}
}

// checkStatusFields enforces the status invariants the DLQ commands rely on.
func checkStatusFields(t *testing.T, d doc, maxRetries int) {
	t.Helper()
	status, retries := d.str("status"), d.integer("retry_count")
	created := d.date("created_at")
	nulls := func(keys ...string) {
		for _, k := range keys {
			if !d.isNull(k) {
				t.Errorf("%s message has %s = %v", status, k, d.value(k))
			}
		}
	}
	switch status {
	case seed.StatusPending:
		nulls("next_retry_at", "retried_at", "discarded_at", "discard_reason")
		if retries != 0 {
			t.Errorf("pending message with retry_count %d", retries)
		}
	case seed.StatusScheduled:
		nulls("retried_at", "discarded_at", "discard_reason")
		if d.date("next_retry_at").Before(created) || retries >= maxRetries {
			t.Errorf("scheduled message: next_retry_at %v created %v retries %d/%d", d.date("next_retry_at"), created, retries, maxRetries)
		}
	case seed.StatusRetried:
		nulls("discarded_at", "discard_reason")
		r := d.date("retried_at")
		if r.Before(created) || r.After(now) || retries < 1 || retries > maxRetries || d.date("next_retry_at").After(r) {
			t.Errorf("retried message: retried_at %v created %v retries %d/%d", r, created, retries, maxRetries)
		}
	case seed.StatusDiscarded:
		nulls("retried_at", "next_retry_at")
		at, reason := d.date("discarded_at"), d.str("discard_reason")
		if at.Before(created) || at.After(now) || (reason == seed.DiscardMaxRetries) != (retries == maxRetries) {
			t.Errorf("discarded message: at %v reason %q retries %d/%d", at, reason, retries, maxRetries)
		}
	default:
		t.Errorf("status %q not in the contract", status)
	}
	if !d.isNull("last_updated") && d.date("last_updated").Before(created) {
		t.Errorf("last_updated before created_at")
	}
}
