// Package clitest runs replayctl commands in process against the embedded
// test stack, as main runs them, capturing stdout, stderr and the exit code.
// It is the one harness of every command package's end-to-end tests.
package clitest

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// DefaultTimeout bounds one command run; -race makes FerretDB several times
// slower, and two busy cores slower still.
const DefaultTimeout = 90 * time.Second

// Env is one test's slice of the shared embedded stack, its own database
// and topic prefix, and the terminal, clock and settings its commands see.
// Every run builds a fresh real factory from Vars, so no setting or flag of
// one run leaks into the next. Change the fields between runs only, never
// while a run is going on in another goroutine.
type Env struct {
	T        testing.TB
	Database string
	Prefix   string       // topic prefix, also in Vars
	Store    *store.Store // the env's database on the shared client, for seeding and reading back

	// Vars is the process environment the factory reads (REPLAYCTL_*).
	Vars map[string]string
	// Overrides are global flag values set without a command line.
	Overrides config.Overrides
	// Now is the factory's clock; nil is the real one.
	Now func() time.Time
	// Term is the terminal of the next run.
	Term Term
	// Ctx is the parent of the next run's context (cancel it for Ctrl-C);
	// nil is context.Background.
	Ctx     context.Context
	Timeout time.Duration

	// Mount builds the command under test, added to a root that has the
	// real global flags; Root instead builds the whole tree (internal/cli).
	Mount func(*cmdutil.Factory) *cobra.Command
	Root  func(*cmdutil.Factory) *cobra.Command
}

// New returns an environment on the shared stack with its own database,
// topic prefix and config file, running the command mount builds.
func New(t testing.TB, mount func(*cmdutil.Factory) *cobra.Command) *Env {
	t.Helper()
	stack := testenv.Shared(t)
	db := testenv.Database(t)
	prefix := testenv.UniqueName(t, "p") + "_"
	return &Env{
		T: t, Database: db.Name(), Prefix: prefix, Mount: mount, Timeout: DefaultTimeout,
		Store: store.FromClient(db.Client(), store.Options{Database: db.Name()}),
		Vars: map[string]string{
			config.EnvMongoURI:     stack.MongoURI(),
			config.EnvDatabase:     db.Name(),
			config.EnvKafkaBrokers: strings.Join(stack.KafkaBrokers(), ","),
			config.EnvTopicPrefix:  prefix,
			config.EnvConfig:       filepath.Join(t.TempDir(), "config.yaml"),
			config.EnvTimeout:      "20s",
			// The shared stack's topics appear on first use, as on a dev
			// stack; tests of a production-like cluster use StrictKafka
			// and set this to false.
			config.EnvKafkaAutoCreateTopics: "true",
		},
		Overrides: config.Overrides{},
	}
}

// NewOffline returns an environment for commands that never dial a server
// (config): no stack, no database, only a config file path of its own.
func NewOffline(t testing.TB, mount func(*cmdutil.Factory) *cobra.Command) *Env {
	t.Helper()
	return &Env{
		T: t, Mount: mount, Timeout: DefaultTimeout, Overrides: config.Overrides{},
		Vars: map[string]string{config.EnvConfig: filepath.Join(t.TempDir(), "replayctl", "config.yaml")},
	}
}

// Result is what one command run produced, as main would report it.
type Result struct {
	Stdout, Stderr string
	Err            error
	Code           exitcode.Code
}

// Want fails the test unless the run exited with code.
func (r Result) Want(t testing.TB, code exitcode.Code) Result {
	t.Helper()
	if r.Code != code {
		t.Fatalf("exit code %d, want %d\nerror: %v\nstdout:\n%s\nstderr:\n%s", r.Code, code, r.Err, r.Stdout, r.Stderr)
	}
	return r
}

// NewFactory returns a real factory reading Vars, on ios, with the env's
// clock and overrides; the caller closes it.
func (e *Env) NewFactory(ios *output.IOStreams) *cmdutil.Factory {
	vars := make(map[string]string, len(e.Vars))
	for k, v := range e.Vars {
		vars[k] = v
	}
	now := e.Now
	if now == nil {
		now = time.Now
	}
	f := cmdutil.New(ios, func(k string) string { return vars[k] }, now)
	for k, v := range e.Overrides {
		f.Overrides[k] = v
	}
	return f
}

// Run executes `replayctl args...` with the env's terminal and context.
func (e *Env) Run(args ...string) Result {
	e.T.Helper()
	return e.RunWith(e.Term, e.Ctx, args...)
}

// RunWith executes `replayctl args...` on term under parent (nil is
// context.Background), printing the error as main does.
func (e *Env) RunWith(term Term, parent context.Context, args ...string) Result {
	e.T.Helper()
	if parent == nil {
		parent = context.Background()
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	ios, out, errOut := term.Streams()
	f := e.NewFactory(ios)
	defer f.Close()
	err := Exec(ctx, e.BuildRoot(f), ios, args...)
	if err != nil {
		cmdutil.PrintError(errOut, output.NewStyles(false), err)
	}
	return Result{Stdout: out.String(), Stderr: errOut.String(), Err: err, Code: cmdutil.ExitCode(err)}
}

// BuildRoot returns the whole tree, or a root with the real global flags
// and the command under test.
func (e *Env) BuildRoot(f *cmdutil.Factory) *cobra.Command {
	if e.Root != nil {
		return e.Root(f)
	}
	root := &cobra.Command{Use: "replayctl", SilenceErrors: true, SilenceUsage: true}
	cmdutil.AddGlobalFlags(root, f)
	if e.Mount != nil {
		root.AddCommand(e.Mount(f))
	}
	return root
}

// OK runs a command that must succeed and returns its stdout.
func (e *Env) OK(args ...string) string {
	e.T.Helper()
	r := e.Run(args...)
	if r.Err != nil {
		e.T.Fatalf("%s: exit %d: %v\nstderr: %s", strings.Join(args, " "), r.Code, r.Err, r.Stderr)
	}
	return r.Stdout
}

// OKJSON runs a command that must succeed with -o json and decodes its
// stdout into v, zeroed first so no field of an earlier decode survives.
func (e *Env) OKJSON(v any, args ...string) {
	e.T.Helper()
	out := e.OK(append(args, "-o", "json")...)
	reflect.ValueOf(v).Elem().SetZero()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		e.T.Fatalf("%s: decode JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// WantExit runs a command and fails the test unless it exits with code.
func (e *Env) WantExit(code exitcode.Code, args ...string) Result {
	e.T.Helper()
	r := e.Run(args...)
	if r.Code != code {
		e.T.Fatalf("%s: exit %d, want %d (err: %v)\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.Code, code, r.Err, r.Stdout, r.Stderr)
	}
	return r
}
