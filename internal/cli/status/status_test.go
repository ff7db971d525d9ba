package status_test

import (
	"context"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/status"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/testenv"
	"github.com/spf13/cobra"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newEnv runs `replayctl status` in its own database.
func newEnv(t *testing.T) *clitest.Env {
	return clitest.New(t, func(f *cmdutil.Factory) *cobra.Command { return status.NewCmdStatus(f, nil) })
}

func runStatus(t *testing.T, e *clitest.Env, args ...string) clitest.Result {
	t.Helper()
	return e.Run(append([]string{"status"}, args...)...)
}

// platformDocs are written the way the Python platform writes them: BSON
// dates, lowercase string enums, int32 counters, null optional fields.
func insertPlatformDocs(t *testing.T, e *clitest.Env) {
	t.Helper()
	db := testenv.Client(t).Database(e.Database)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	events := []any{
		bson.D{{Key: "event_id", Value: "e1"}, {Key: "event_type", Value: "execution_requested"}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: now}, {Key: "aggregate_id", Value: "x1"}, {Key: "metadata", Value: bson.D{{Key: "service_name", Value: "api"}}}},
		bson.D{{Key: "event_id", Value: "e2"}, {Key: "event_type", Value: "brand_new_type"}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: now}, {Key: "aggregate_id", Value: nil}},
	}
	if _, err := db.Collection("events").InsertMany(ctx, events); err != nil {
		t.Fatal(err)
	}
	sessions := []any{
		bson.D{{Key: "session_id", Value: "s1"}, {Key: "status", Value: "completed"}, {Key: "total_events", Value: int32(2)}, {Key: "created_at", Value: now}},
		bson.D{{Key: "session_id", Value: "s2"}, {Key: "status", Value: "running"}, {Key: "total_events", Value: int32(2)}, {Key: "created_at", Value: now}},
	}
	if _, err := db.Collection("replay_sessions").InsertMany(ctx, sessions); err != nil {
		t.Fatal(err)
	}
	dlq := []any{
		bson.D{{Key: "event", Value: bson.D{{Key: "event_id", Value: "d1"}}}, {Key: "original_topic", Value: "t"}, {Key: "status", Value: "pending"}, {Key: "retry_count", Value: int32(0)}, {Key: "failed_at", Value: now}},
		bson.D{{Key: "event", Value: bson.D{{Key: "event_id", Value: "d2"}}}, {Key: "original_topic", Value: "t"}, {Key: "status", Value: "discarded"}, {Key: "retry_count", Value: int32(3)}, {Key: "failed_at", Value: now}},
		bson.D{{Key: "event", Value: bson.D{{Key: "event_id", Value: "d3"}}}, {Key: "original_topic", Value: "t"}, {Key: "status", Value: "discarded"}, {Key: "retry_count", Value: int32(3)}, {Key: "failed_at", Value: now}},
	}
	if _, err := db.Collection("dlq_messages").InsertMany(ctx, dlq); err != nil {
		t.Fatal(err)
	}
}

func TestStatusJSONCountsPlatformWrittenDocuments(t *testing.T) {
	e := newEnv(t)
	insertPlatformDocs(t, e)
	r := runStatus(t, e, "-o", "json")
	if r.Code != exitcode.OK {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	var got struct {
		MongoDB struct {
			Reachable bool   `json:"reachable"`
			Database  string `json:"database"`
			Version   string `json:"version"`
		} `json:"mongodb"`
		Kafka struct {
			Reachable bool     `json:"reachable"`
			Brokers   []string `json:"brokers"`
		} `json:"kafka"`
		Events struct {
			Total int64 `json:"total"`
		} `json:"events"`
		ReplaySessions struct {
			Total    int64            `json:"total"`
			ByStatus map[string]int64 `json:"by_status"`
		} `json:"replay_sessions"`
		DLQMessages struct {
			Total    int64            `json:"total"`
			ByStatus map[string]int64 `json:"by_status"`
		} `json:"dlq_messages"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
		t.Fatalf("decode %q: %v", r.Stdout, err)
	}
	if !got.MongoDB.Reachable || got.MongoDB.Database != e.Database || got.MongoDB.Version == "" {
		t.Errorf("mongodb = %+v", got.MongoDB)
	}
	if !got.Kafka.Reachable || len(got.Kafka.Brokers) == 0 {
		t.Errorf("kafka = %+v", got.Kafka)
	}
	if got.Events.Total != 2 {
		t.Errorf("events total = %d, want 2", got.Events.Total)
	}
	if got.ReplaySessions.Total != 2 || got.ReplaySessions.ByStatus["running"] != 1 || got.ReplaySessions.ByStatus["completed"] != 1 {
		t.Errorf("sessions = %+v", got.ReplaySessions)
	}
	if got.DLQMessages.Total != 3 || got.DLQMessages.ByStatus["discarded"] != 2 || got.DLQMessages.ByStatus["pending"] != 1 {
		t.Errorf("dlq = %+v", got.DLQMessages)
	}
}

func TestStatusTableShowsBothServers(t *testing.T) {
	e := newEnv(t)
	r := runStatus(t, e)
	if r.Code != exitcode.OK {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	for _, want := range []string{"MongoDB", "Kafka", "reachable", "Events"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("status output lacks %q:\n%s", want, r.Stdout)
		}
	}
}

// closedAddr returns an address on which nothing listens.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestStatusExitsFiveNamingTheUnreachableServerWithinTimeout(t *testing.T) {
	cases := []struct {
		name, env, value, want string
	}{
		{"mongodb down", "REPLAYCTL_MONGO_URI", "mongodb://" + closedAddr(t) + "/", "MongoDB at"},
		{"kafka down", "REPLAYCTL_KAFKA_BROKERS", closedAddr(t), "Kafka at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.Vars[c.env] = c.value
			start := time.Now()
			r := runStatus(t, e, "--timeout", "2s")
			elapsed := time.Since(start)
			if r.Code != exitcode.Unavailable {
				t.Fatalf("exit %d, want 5; stderr %q", r.Code, r.Stderr)
			}
			if !strings.Contains(r.Stderr, c.want) || !strings.Contains(r.Stderr, "unreachable") || !strings.Contains(r.Stderr, "Hint:") {
				t.Errorf("stderr does not name the server and a fix: %q", r.Stderr)
			}
			// The bound is the behaviour under test: --timeout plus process overhead.
			if elapsed > 8*time.Second {
				t.Errorf("took %v with --timeout 2s", elapsed)
			}
		})
	}
}

// A DLQ too large to count within the budget is slowness, not an outage:
// MongoDB is reported reachable, the count as slow, and status exits 0.
func TestStatusReportsSlowCountsApartFromUnreachable(t *testing.T) {
	e := newEnv(t)
	dlq := testenv.Client(t).Database(e.Database).Collection("dlq_messages")
	now := time.Now().UTC()
	docs := make([]any, 5000)
	for i := range docs {
		docs[i] = bson.D{{Key: "event", Value: bson.D{{Key: "event_id", Value: testenv.UUID()}, {Key: "event_type", Value: "pod_failed"}}},
			{Key: "original_topic", Value: "pod_failed"}, {Key: "error", Value: strings.Repeat("x", 200)},
			{Key: "status", Value: "pending"}, {Key: "retry_count", Value: int32(0)}, {Key: "failed_at", Value: now}}
	}
	if _, err := dlq.InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}

	r := runStatus(t, e, "-o", "json", "--count-timeout", "20ms")
	if r.Code != exitcode.OK {
		t.Fatalf("exit %d, want 0 for a slow count; stdout %s stderr %s", r.Code, r.Stdout, r.Stderr)
	}
	var got struct {
		MongoDB struct {
			Reachable bool   `json:"reachable"`
			Slow      bool   `json:"slow"`
			Error     string `json:"error"`
		} `json:"mongodb"`
		SlowCounts   []string `json:"slow_counts"`
		CountTimeout string   `json:"count_timeout"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
		t.Fatalf("decode %q: %v", r.Stdout, err)
	}
	if !got.MongoDB.Reachable || !got.MongoDB.Slow || got.MongoDB.Error != "" {
		t.Errorf("mongodb = %+v, want reachable and slow without an error", got.MongoDB)
	}
	if !slices.Contains(got.SlowCounts, "dlq_messages") || got.CountTimeout != "20ms" {
		t.Errorf("slow counts = %v after %q, want dlq_messages after 20ms", got.SlowCounts, got.CountTimeout)
	}

	r = runStatus(t, e, "--count-timeout", "20ms")
	if r.Code != exitcode.OK {
		t.Fatalf("table: exit %d, want 0; stderr %s", r.Code, r.Stderr)
	}
	if !strings.Contains(r.Stdout, "slow (timed out after 20ms)") || strings.Contains(r.Stdout, "unreachable") {
		t.Errorf("table does not show the count as slow and MongoDB as reachable:\n%s", r.Stdout)
	}
}
