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
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/dev"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

type env struct {
	f           *cmdutil.Factory
	out, errOut interface{ String() string }
	vars        map[string]string
}

func newEnv(t *testing.T) *env {
	ios, _, out, errOut := output.Test()
	dir := t.TempDir()
	vars := map[string]string{"REPLAYCTL_CONFIG": filepath.Join(dir, "config.yaml"), "XDG_STATE_HOME": filepath.Join(dir, "state")}
	f := cmdutil.New(ios, func(k string) string { return vars[k] }, time.Now)
	t.Cleanup(f.Close)
	return &env{f: f, out: out, errOut: errOut, vars: vars}
}

func TestDevSeedsWritesContextAndStopsOnCancel(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ready := make(chan *devstack.Stack, 1)
	cmd := dev.NewCmdDev(e.f, func(ctx context.Context, o *dev.Options) error {
		o.Ready = func(s *devstack.Stack) { ready <- s }
		return dev.Run(ctx, o)
	})
	cmd.SetArgs([]string{"--fresh", "--seed", "60", "--mongo-addr", "127.0.0.1:0", "--kafka-addr", "127.0.0.1:0"})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(runCtx) }()

	var stack *devstack.Stack
	select {
	case stack = <-ready:
	case err := <-done:
		t.Fatalf("dev exited early: %v", err)
	case <-ctx.Done():
		t.Fatal("dev did not become ready")
	}
	file, err := config.Load(e.vars["REPLAYCTL_CONFIG"])
	if err != nil {
		t.Fatal(err)
	}
	c, ok := file.Context(dev.ContextName)
	if !ok || c.MongoURI != stack.MongoURI() || strings.Join(c.KafkaBrokers, ",") != strings.Join(stack.KafkaBrokers(), ",") {
		t.Fatalf("dev context = %+v, stack at %s %v", c, stack.MongoURI(), stack.KafkaBrokers())
	}
	if file.CurrentContext != dev.ContextName {
		t.Errorf("current-context = %q, want dev (none was set)", file.CurrentContext)
	}
	assertStatusCounts(t, e, 60)

	stop()
	if err := <-done; err != nil {
		t.Fatalf("dev returned %v after cancel", err)
	}
	if !strings.Contains(e.out.String(), "Stopped.") {
		t.Errorf("no clean-stop message in %q", e.out.String())
	}
}

// assertStatusCounts runs `status -o json` through the dev context, as a
// second shell would.
func assertStatusCounts(t *testing.T, e *env, events int64) {
	t.Helper()
	ios, _, out, errOut := output.Test()
	f := cmdutil.New(ios, func(k string) string { return e.vars[k] }, time.Now)
	defer f.Close()
	root := cli.NewCmdRoot(f, version.Info{})
	root.SetArgs([]string{"--context", "dev", "status", "-o", "json"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("status: %v (%s)", err, errOut)
	}
	var got struct {
		Events      struct{ Total int64 }
		DLQMessages struct{ Total int64 } `json:"dlq_messages"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Events.Total != events || got.DLQMessages.Total == 0 {
		t.Errorf("status counts = %+v, want %d events and some DLQ messages", got, events)
	}
}

func TestDevRefusesToWipeForeignDirectory(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(precious, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := dev.NewCmdDev(e.f, nil)
	cmd.SetArgs([]string{"--fresh", "--data-dir", dir, "--mongo-addr", "127.0.0.1:0", "--kafka-addr", "127.0.0.1:0"})
	err := cmd.ExecuteContext(context.Background())
	if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), "refusing to wipe") {
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
		e := newEnv(t)
		called := false
		cmd := dev.NewCmdDev(e.f, func(context.Context, *dev.Options) error { called = true; return nil })
		cmd.SetArgs(args)
		err := cmd.ExecuteContext(context.Background())
		if cmdutil.ExitCode(err) != exitcode.Usage || called {
			t.Errorf("%v: err=%v called=%v, want usage error before running", args, err, called)
		}
	}
}
