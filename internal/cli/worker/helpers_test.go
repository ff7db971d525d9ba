package workercmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

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
