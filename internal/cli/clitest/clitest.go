// Package clitest runs replayctl commands in process against the embedded
// test stack, capturing stdout, stderr and the exit code.
package clitest

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// Env is one test's command environment: a factory whose settings point at
// the shared stack and a database of the test's own.
type Env struct {
	Factory  *cmdutil.Factory
	Stdin    *bytes.Buffer
	Stdout   *bytes.Buffer
	Stderr   *bytes.Buffer
	Vars     map[string]string
	Database string
}

// New returns an environment on the shared stack with its own database and
// config file. Extra environment variables may be set on Vars before Run.
func New(t testing.TB) *Env {
	t.Helper()
	stack := testenv.Shared(t)
	db := testenv.Database(t)
	ios, in, out, errOut := output.Test()
	e := &Env{Stdin: in, Stdout: out, Stderr: errOut, Database: db.Name(), Vars: map[string]string{
		"REPLAYCTL_MONGO_URI":     stack.MongoURI(),
		"REPLAYCTL_DATABASE":      db.Name(),
		"REPLAYCTL_KAFKA_BROKERS": strings.Join(stack.KafkaBrokers(), ","),
		"REPLAYCTL_CONFIG":        filepath.Join(t.TempDir(), "config.yaml"),
		"REPLAYCTL_TIMEOUT":       "20s",
	}}
	getenv := func(k string) string { return e.Vars[k] }
	e.Factory = cmdutil.New(ios, getenv, time.Now)
	t.Cleanup(e.Factory.Close)
	return e
}

// Result is what one command run produced.
type Result struct {
	Stdout, Stderr string
	Err            error
	Code           exitcode.Code
}

// Run executes root with args, as main would, and resets the captured streams
// first so each Result holds one run's output.
func (e *Env) Run(ctx context.Context, root *cobra.Command, args ...string) Result {
	e.Stdout.Reset()
	e.Stderr.Reset()
	err := Exec(ctx, root, e.Factory.IO, args...)
	if err != nil {
		cmdutil.PrintError(e.Stderr, output.NewStyles(false), err)
	}
	return Result{Stdout: e.Stdout.String(), Stderr: e.Stderr.String(), Err: err, Code: cmdutil.ExitCode(err)}
}
