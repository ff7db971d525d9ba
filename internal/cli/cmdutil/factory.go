// Package cmdutil carries what every command needs from outside (IO streams,
// settings, clients) and the helpers that keep commands uniform.
package cmdutil

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/wiring"
)

// Factory is built once in main and passed to every command. Its functions
// are lazy, so a command that needs no database never dials one, and tests
// replace any of them.
type Factory struct {
	IO     *output.IOStreams
	Getenv func(string) string
	Now    func() time.Time

	// Overrides are global flag values set explicitly by a caller that
	// does not bind a flag set (tests); see GlobalOverrides for the rest.
	Overrides config.Overrides

	Settings   func() (*config.Settings, error)
	ConfigFile func() (*config.File, string, error)
	Printer    func() (*output.Printer, error)
	Store      func(ctx context.Context) (*store.Store, error)
	Kafka      func(ctx context.Context) (*kgo.Client, error)
	// Audit, when set, replaces the audit trail writer Auditor builds.
	Audit func(ctx context.Context) (*audit.Auditor, error)
	// Version is replayctl's version, recorded in the audit trail.
	Version string

	closers []func()
	owner   string
	mu      sync.Mutex

	globals     *pflag.FlagSet
	globalNames []string

	settingsMu  sync.Mutex
	settingsKey string
	settings    *config.Settings
	settingsErr error
	resolved    bool
}

// New returns a factory wired to real settings and servers.
func New(ios *output.IOStreams, getenv func(string) string, now func() time.Time) *Factory {
	f := &Factory{IO: ios, Getenv: getenv, Now: now, Overrides: config.Overrides{}}
	f.Settings = f.resolveSettings
	// The config file and the printer must work while the current context is
	// broken, or the commands that repair it could not run.
	f.ConfigFile = func() (*config.File, string, error) {
		path := config.ConfigPath(f.GlobalOverrides(), f.Getenv)
		file, err := config.Load(path)
		return file, path, err
	}
	f.Printer = func() (*output.Printer, error) {
		format, err := output.ParseFormat(f.outputFormat())
		if err != nil {
			return nil, exitcode.New(exitcode.Usage, err)
		}
		return output.NewPrinter(f.IO, format), nil
	}
	f.Store = cached(f, f.connectStore, func(s *store.Store) func() { return func() { _ = s.Close() } })
	f.Kafka = cached(f, f.connectKafka, func(c *kgo.Client) func() { return c.Close })
	return f
}

// BindGlobalFlags names the flags of fs that override the environment and
// the config file when set on the command line. They are read whenever
// settings are needed rather than copied by a pre-run hook, because cobra's
// __complete runs no hooks: a completion must still honour the --context or
// --config typed on the same line.
func (f *Factory) BindGlobalFlags(fs *pflag.FlagSet, names []string) {
	f.globals, f.globalNames = fs, names
}

// GlobalOverrides returns the overrides in effect now: Overrides plus the
// bound flags that the command line set.
func (f *Factory) GlobalOverrides() config.Overrides {
	out := maps.Clone(f.Overrides)
	if out == nil {
		out = config.Overrides{}
	}
	if f.globals == nil {
		return out
	}
	for _, name := range f.globalNames {
		if fl := f.globals.Lookup(name); fl != nil && fl.Changed {
			out[name] = fl.Value.String()
		}
	}
	return out
}

// resolveSettings resolves once per distinct set of overrides: settings
// asked for before the command line is parsed must not stick.
func (f *Factory) resolveSettings() (*config.Settings, error) {
	over := f.GlobalOverrides()
	key := overridesKey(over)
	f.settingsMu.Lock()
	defer f.settingsMu.Unlock()
	if f.resolved && f.settingsKey == key {
		return f.settings, f.settingsErr
	}
	s, _, err := config.Resolve(over, f.Getenv)
	if err != nil {
		s, err = nil, usageIfValidation(err)
	} else if s.NoColor {
		f.IO.SetColorEnabled(false)
	}
	f.settings, f.settingsErr, f.settingsKey, f.resolved = s, err, key, true
	return s, err
}

func overridesKey(over config.Overrides) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(over)) {
		b.WriteString(k + "\x00" + over[k] + "\x00")
	}
	return b.String()
}

// outputFormat picks -o from the settings, or from the flag and environment
// alone when the settings do not resolve.
func (f *Factory) outputFormat() string {
	if s, err := f.Settings(); err == nil {
		return s.Output
	}
	if v, ok := f.GlobalOverrides()["output"]; ok {
		return v
	}
	if v := f.Getenv(config.EnvOutput); v != "" {
		return v
	}
	return string(output.FormatTable)
}

func (f *Factory) connectStore(ctx context.Context) (*store.Store, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	return store.Connect(ctx, wiring.StoreOptions(s))
}

func (f *Factory) connectKafka(ctx context.Context) (*kgo.Client, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	opts, err := wiring.KafkaOptions(s)
	if err != nil {
		return nil, usageIfValidation(err)
	}
	return kafka.NewClient(opts)
}

// cached memoises a successful connection and registers its close with
// the factory's closers. Each connection has a lock of its own: a MongoDB
// that does not answer must not hold up the Kafka client (the dashboard
// pings both at once and names the one that is down).
func cached[C any](f *Factory, connect func(context.Context) (C, error), closer func(C) func()) func(context.Context) (C, error) {
	var (
		mu   sync.Mutex
		conn C
		have bool
	)
	return func(ctx context.Context) (C, error) {
		mu.Lock()
		defer mu.Unlock()
		if have {
			return conn, nil
		}
		c, err := connect(ctx)
		if err != nil {
			var zero C
			return zero, err
		}
		conn, have = c, true
		f.OnClose(closer(c))
		return conn, nil
	}
}

// OnClose registers cleanup run by Close, last registered first.
func (f *Factory) OnClose(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closers = append(f.closers, fn)
}

// Close releases every client the factory created.
func (f *Factory) Close() {
	f.mu.Lock()
	closers := f.closers
	f.closers = nil
	f.mu.Unlock()
	for i := len(closers) - 1; i >= 0; i-- {
		closers[i]()
	}
}

// Wiring returns the builder of this process's domain services, with one
// owner identity for the whole process; clients it builds close with f.
func (f *Factory) Wiring(ctx context.Context) (*wiring.Wiring, error) {
	s, st, err := f.SettingsAndStore(ctx)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.owner == "" {
		f.owner = wiring.Owner()
	}
	return &wiring.Wiring{Settings: s, Store: st, Owner: f.owner, Now: f.Now, OnClose: f.OnClose, Version: f.Version}, nil
}

// SettingsAndStore returns the resolved settings and the connected store,
// the two things every domain service is built from.
func (f *Factory) SettingsAndStore(ctx context.Context) (*config.Settings, *store.Store, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Store(ctx)
	if err != nil {
		return nil, nil, err
	}
	return s, st, nil
}
