package dev_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/dev"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/spf13/cobra"
)

// newEnv is the harness's offline environment (config file and state
// directory of the test's own) running `replayctl dev`; runF may replace
// its run.
func newEnv(t *testing.T, runF func(context.Context, *dev.Options) error) *clitest.Env {
	e := clitest.NewOffline(t, func(f *cmdutil.Factory) *cobra.Command { return dev.NewCmdDev(f, runF) })
	e.Vars["XDG_STATE_HOME"] = filepath.Join(t.TempDir(), "state")
	return e
}

func TestDevSeedsWritesContextAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ready := make(chan *devstack.Stack, 1)
	e := newEnv(t, func(ctx context.Context, o *dev.Options) error {
		o.Ready = func(s *devstack.Stack) { ready <- s }
		return dev.Run(ctx, o)
	})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan clitest.Result, 1)
	go func() {
		done <- e.RunWith(clitest.Term{}, runCtx, "dev", "--fresh", "--seed", "60", "--mongo-addr", "127.0.0.1:0", "--kafka-addr", "127.0.0.1:0")
	}()

	var stack *devstack.Stack
	select {
	case stack = <-ready:
	case r := <-done:
		t.Fatalf("dev exited early: %v", r.Err)
	case <-ctx.Done():
		t.Fatal("dev did not become ready")
	}
	file, err := config.Load(e.Vars[config.EnvConfig])
	if err != nil {
		t.Fatal(err)
	}
	c, ok := file.Context(dev.ContextName)
	if !ok || c.MongoURI != stack.MongoURI() || strings.Join(c.KafkaBrokers, ",") != strings.Join(stack.KafkaBrokers(), ",") {
		t.Fatalf("dev context = %+v, stack at %s %v", c, stack.MongoURI(), stack.KafkaBrokers())
	}
	if !c.KafkaAutoCreateTopics {
		t.Errorf("dev context does not ask for topic auto-creation; the embedded Kafka starts without topics: %+v", c)
	}
	if file.CurrentContext != dev.ContextName {
		t.Errorf("current-context = %q, want dev (none was set)", file.CurrentContext)
	}
	assertStatusCounts(t, e, 60)

	stop()
	r := <-done
	if r.Err != nil {
		t.Fatalf("dev returned %v after cancel", r.Err)
	}
	if !strings.Contains(r.Stdout, "Stopped.") {
		t.Errorf("no clean-stop message in %q", r.Stdout)
	}
}

// assertStatusCounts runs `status -o json` through the dev context, as a
// second shell would.
func assertStatusCounts(t *testing.T, e *clitest.Env, events int64) {
	t.Helper()
	second := clitest.NewOffline(t, nil)
	second.Vars = e.Vars
	second.Root = func(f *cmdutil.Factory) *cobra.Command { return cli.NewCmdRoot(f, version.Info{}) }
	out := second.OK("--context", "dev", "status", "-o", "json")
	var got struct {
		Events      struct{ Total int64 }
		DLQMessages struct{ Total int64 } `json:"dlq_messages"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Events.Total != events || got.DLQMessages.Total == 0 {
		t.Errorf("status counts = %+v, want %d events and some DLQ messages", got, events)
	}
}

func TestDevRefusesToWipeForeignDirectory(t *testing.T) {
	e := newEnv(t, nil)
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(precious, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := e.Run("dev", "--fresh", "--data-dir", dir, "--mongo-addr", "127.0.0.1:0", "--kafka-addr", "127.0.0.1:0").Err
	if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "refusing to wipe") {
		t.Fatalf("err = %v, want a usage error refusing to wipe", err)
	}
	if _, err := os.Stat(precious); err != nil {
		t.Fatalf("foreign file was removed: %v", err)
	}
}

func TestDevValidatesFlagsBeforeStarting(t *testing.T) {
	for _, args := range [][]string{
		{"--mongo-addr", "nonsense"},
		{"--kafka-addr", "127.0.0.1"},
		{"--seed", "-5"},
	} {
		called := false
		e := newEnv(t, func(context.Context, *dev.Options) error { called = true; return nil })
		err := e.Run(append([]string{"dev"}, args...)...).Err
		if exitcode.Of(err) != exitcode.Usage || called {
			t.Errorf("%v: err=%v called=%v, want usage error before running", args, err, called)
		}
	}
}
