package workercmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// flagEnv is a factory whose settings come from env and a config file with
// the given YAML; no server is reachable (the URIs point nowhere).
func flagEnv(t *testing.T, configYAML string, env map[string]string) *cmdutil.Factory {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if configYAML != "" {
		if err := os.WriteFile(path, []byte(configYAML), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{"REPLAYCTL_CONFIG": path}
	for k, v := range env {
		vars[k] = v
	}
	ios, _, _, _ := output.Test()
	f := cmdutil.New(ios, func(k string) string { return vars[k] }, time.Now)
	f.Store = func(context.Context) (*store.Store, error) {
		return nil, fmt.Errorf("flag tests must not reach MongoDB")
	}
	return f
}

// parse runs the command's parsing and validation and returns the options
// the run would get.
func parse(t *testing.T, f *cmdutil.Factory, args ...string) (*WorkerOptions, error) {
	t.Helper()
	var got *WorkerOptions
	err := clitest.Execute(newCmdWorker(f, clitest.Capture(&got)), args...)
	return got, err
}

// seedEvents inserts n contract-shaped events of type typ, one second
// apart, and returns their ids.
func seedEvents(t *testing.T, st *store.Store, typ string, n int) []string {
	t.Helper()
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	docs := make([]any, n)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%s-%08d-0000-4000-8000-%012d", typ[:4], i, time.Now().UnixNano()%1e12)
		docs[i] = bson.D{
			{Key: "event_id", Value: ids[i]}, {Key: "event_type", Value: typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: base.Add(time.Duration(i) * time.Second)},
			{Key: "aggregate_id", Value: nil},
			{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "test"}, {Key: "service_version", Value: "1"}, {Key: "user_id", Value: "u1"}, {Key: "environment", Value: "test"}}},
			{Key: "stored_at", Value: base},
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := st.Events.Collection().InsertMany(ctx, docs); err != nil {
		t.Fatalf("seed events: %v", err)
	}
	return ids
}
