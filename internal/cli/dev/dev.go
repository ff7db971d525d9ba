// Package dev implements `replayctl dev`, the embedded local platform.
package dev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// ContextName is the config context `dev` writes.
const ContextName = "dev"

// markerFile tells --fresh that a directory is the dev stack's to wipe.
const markerFile = ".replayctl-dev"

// Options are dev's inputs.
type Options struct {
	Factory   *cmdutil.Factory
	MongoAddr string
	KafkaAddr string
	DataDir   string
	Fresh     bool
	Seed      int
	Verbose   bool
	// Ready, when set, is called once the stack is up (tests use it).
	Ready func(*devstack.Stack)
}

// NewCmdDev builds `replayctl dev`.
func NewCmdDev(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run an embedded local platform (MongoDB-compatible server and Kafka broker)",
		Long: `Dev starts an in-process MongoDB-compatible server (FerretDB with SQLite) and an
in-process Kafka-protocol broker (kfake), optionally seeds them with realistic
events and DLQ messages in the platform's format, and writes a "dev" context
into the config file so other shells can use them:

  replayctl --context dev status

It stays in the foreground until Ctrl-C or SIGTERM, then shuts both servers
down cleanly. MongoDB data persists in --data-dir across restarts; Kafka
topics persist there too when the stack is stopped cleanly.`,
		Example: `  # A fresh platform with 2000 seeded events on the default ports
  replayctl dev --fresh --seed 2000

  # Free ports chosen by the system (the dev context records them)
  replayctl dev --mongo-addr 127.0.0.1:0 --kafka-addr 127.0.0.1:0`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.Validate(); err != nil {
				return err
			}
			return cmdutil.Run(cmd, opts, runF, Run)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.MongoAddr, "mongo-addr", devstack.DefaultMongoAddr, "MongoDB listen address (port 0 = any free port)")
	fl.StringVar(&opts.KafkaAddr, "kafka-addr", devstack.DefaultKafkaAddr, "Kafka listen address (port 0 = any free port)")
	fl.StringVar(&opts.DataDir, "data-dir", "", "data directory (default $XDG_STATE_HOME/replayctl/dev)")
	fl.BoolVar(&opts.Fresh, "fresh", false, "wipe the data directory first")
	fl.IntVar(&opts.Seed, "seed", 0, "insert N realistic events (plus DLQ messages)")
	fl.BoolVar(&opts.Verbose, "verbose", false, "show the servers' own logs")
	return cmd
}

// Validate checks the flags before anything starts.
func (o *Options) Validate() error {
	for flag, addr := range map[string]string{"--mongo-addr": o.MongoAddr, "--kafka-addr": o.KafkaAddr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return exitcode.Usagef("invalid %s %q: want host:port", flag, addr)
		}
	}
	if o.Seed < 0 {
		return exitcode.Usagef("invalid --seed %d: must be 0 or more", o.Seed)
	}
	if o.DataDir == "" {
		o.DataDir = defaultDataDir(o.Factory.Getenv)
	}
	return nil
}

func defaultDataDir(getenv func(string) string) string {
	if dir := getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "replayctl", "dev")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "state", "replayctl", "dev")
	}
	return filepath.Join(os.TempDir(), "replayctl-dev")
}

// Run starts the stack, seeds it, writes the context and waits for ctx.
func Run(ctx context.Context, o *Options) error {
	f := o.Factory
	s, err := f.Settings()
	if err != nil {
		return err
	}
	if err := prepareDataDir(o.DataDir, o.Fresh); err != nil {
		return err
	}
	stack, err := devstack.Start(ctx, devstack.Options{
		MongoAddr: o.MongoAddr, KafkaAddr: o.KafkaAddr,
		DataDir: filepath.Join(o.DataDir, "mongo"), KafkaDataDir: filepath.Join(o.DataDir, "kafka"),
		Logger: serverLogger(f.IO.ErrOut, o.Verbose),
	})
	if err != nil {
		return startError(err)
	}
	defer stack.Close()

	st := output.NewStyles(f.IO.ColorEnabled())
	res, err := seedStack(ctx, stack, s, o.Seed, f.Now())
	if err != nil {
		return err
	}
	path, err := writeContext(f, stack, s)
	if err != nil {
		return err
	}
	printBanner(f.IO.Out, st, stack, o, res, path)
	if o.Ready != nil {
		o.Ready(stack)
	}
	<-ctx.Done()
	fmt.Fprintln(f.IO.ErrOut, "Shutting down the embedded platform...")
	if err := stack.Close(); err != nil {
		return fmt.Errorf("stop embedded platform: %w", err)
	}
	fmt.Fprintln(f.IO.Out, "Stopped.")
	return nil
}

func startError(err error) error {
	if errors.Is(err, devstack.ErrAddrInUse) {
		return exitcode.WithHint(exitcode.New(exitcode.Error, err),
			"another process uses that port: stop it, or pick other ports with --mongo-addr/--kafka-addr (port 0 = any free port)")
	}
	return fmt.Errorf("start embedded platform: %w", err)
}

// prepareDataDir creates the directory and, with fresh, wipes it, but only
// when it is empty or was made by `dev`, so a mistyped --data-dir never
// deletes someone's files.
func prepareDataDir(dir string, fresh bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read data dir %s: %w", dir, err)
	}
	if fresh && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
			return exitcode.Usagef("refusing to wipe %s: it was not created by `replayctl dev`", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("wipe data dir %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir %s: %w", dir, err)
	}
	return os.WriteFile(filepath.Join(dir, markerFile), []byte("replayctl dev data directory\n"), 0o600)
}

func serverLogger(w io.Writer, verbose bool) *slog.Logger {
	if !verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func seedStack(ctx context.Context, stack *devstack.Stack, s *config.Settings, n int, now time.Time) (seed.Result, error) {
	if n == 0 {
		return seed.Result{}, nil
	}
	res, err := seed.SeedURI(ctx, stack.MongoURI(), s.Database, seed.Options{
		Events: n, Now: now, Rand: rand.New(rand.NewPCG(uint64(now.UnixNano()), 1)),
		EventsCollection: s.Collections.Events, DLQCollection: s.Collections.DLQ, TopicPrefix: s.TopicPrefix,
	})
	if err != nil {
		return res, fmt.Errorf("seed %d events: %w", n, err)
	}
	return res, nil
}

// writeContext records the running stack as the "dev" context, and makes it
// current when no context is.
func writeContext(f *cmdutil.Factory, stack *devstack.Stack, s *config.Settings) (string, error) {
	file, path, err := f.ConfigFile()
	if err != nil {
		return "", err
	}
	// The embedded broker creates topics on demand, and a dev stack starts
	// without any: its clients must ask for that.
	c := config.Context{Name: ContextName, MongoURI: stack.MongoURI(), Database: s.Database,
		KafkaBrokers: stack.KafkaBrokers(), TopicPrefix: s.TopicPrefix, KafkaAutoCreateTopics: true}
	if old, ok := file.Context(ContextName); ok {
		c.Collections, c.DLQTopic = old.Collections, old.DLQTopic
	}
	file.SetContext(c)
	if file.CurrentContext == "" {
		file.CurrentContext = ContextName
	}
	if err := file.Save(path); err != nil {
		return "", fmt.Errorf("write dev context: %w", err)
	}
	return path, nil
}

func printBanner(w io.Writer, st *output.Styles, stack *devstack.Stack, o *Options, res seed.Result, path string) {
	fmt.Fprintf(w, "%s Embedded platform running\n", st.SuccessIcon())
	fmt.Fprintf(w, "  MongoDB  %s  (FerretDB, SQLite in %s)\n", stack.MongoURI(), o.DataDir)
	fmt.Fprintf(w, "  Kafka    %s  (kfake)\n", strings.Join(stack.KafkaBrokers(), ","))
	if res.Events > 0 {
		fmt.Fprintf(w, "  Seeded   %d events from %d executions, %d DLQ messages\n", res.Events, res.Executions, res.DLQMessages)
	}
	fmt.Fprintf(w, "Context %q written to %s.\n\n", ContextName, path)
	fmt.Fprintf(w, "In another shell:\n  replayctl --context %s status\n\n", ContextName)
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}
