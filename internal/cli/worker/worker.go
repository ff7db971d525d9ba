// Package workercmd implements `replayctl worker`.
package workercmd

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// WorkerOptions are the inputs of `replayctl worker`.
type WorkerOptions struct {
	Factory *cmdutil.Factory

	// Replay and DLQ turn the two halves of the worker on or off.
	Replay bool
	DLQ    bool
	// Flags holds the worker flags the operator set explicitly, by name, as
	// text; they win over the environment and the config file.
	Flags config.Overrides

	// Settings and Config are resolved and validated before the run.
	Settings *config.Settings
	Config   *config.WorkerConfig
}

// workerFlags are the flags resolved through config.ResolveWorker.
var workerFlags = []string{
	config.FlagConcurrency, config.FlagPollInterval, config.FlagLeaseTTL, config.FlagDLQTopic,
	config.FlagGroup, config.FlagHTTPAddr, config.FlagLogLevel, config.FlagShutdownTimeout, config.FlagJobs,
}

// NewCmdWorker builds `replayctl worker`.
func NewCmdWorker(f *cmdutil.Factory) *cobra.Command {
	return newCmdWorker(f, nil)
}

// newCmdWorker builds the command; runF replaces the run in flag tests.
func newCmdWorker(f *cmdutil.Factory, runF func(context.Context, *WorkerOptions) error) *cobra.Command {
	opts := &WorkerOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run replay sessions and the DLQ processor as a long-running service",
		Long:  longHelp,
		Example: `  # Run everything with the defaults (health and metrics on 127.0.0.1:9464)
  replayctl worker

  # In a container: listen on all interfaces, four sessions at once, JSON logs
  replayctl worker --http-addr 0.0.0.0:9464 --concurrency 4 --log-level info

  # Only the DLQ processor, in its own consumer group
  replayctl worker --replay=false --group replayctl-dlq-eu

  # Check it from another shell
  curl -s localhost:9464/readyz
  curl -s localhost:9464/metrics | grep replayctl_`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Flags = changedFlags(cmd.Flags())
			if err := opts.complete(); err != nil {
				return err
			}
			return cmdutil.Run(cmd, opts, runF, workerRun)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Replay, "replay", true, "run replay sessions that are running and not held by a live runner")
	fl.BoolVar(&opts.DLQ, "dlq", true, "run the DLQ processor (consume the DLQ topic, retry due messages)")
	fl.Bool(config.FlagJobs, true, "run DLQ redrive jobs (from 'dlq retry|discard --detach') (env "+config.EnvWorkerJobs+")")
	fl.Int(config.FlagConcurrency, config.DefaultWorkerConcurrency, "most replay sessions run at once (env "+config.EnvWorkerConcurrency+")")
	fl.String(config.FlagPollInterval, config.DefaultWorkerPollInterval.String(), "how often to look for runnable sessions and due DLQ retries (env "+config.EnvWorkerPollInterval+")")
	fl.String(config.FlagLeaseTTL, config.DefaultWorkerLeaseTTL.String(), "how long a session claim lasts without renewal: the failover time after a crash (env "+config.EnvWorkerLeaseTTL+")")
	fl.String(config.FlagDLQTopic, "", `DLQ topic without the topic prefix (env `+config.EnvDLQTopic+`; default: the context's dlq-topic, else "`+config.DefaultDLQTopic+`")`)
	fl.String(config.FlagGroup, config.DefaultWorkerGroup, "Kafka consumer group of the DLQ processor (env "+config.EnvWorkerGroup+")")
	fl.String(config.FlagHTTPAddr, config.DefaultWorkerHTTPAddr, `address for /healthz, /readyz and /metrics; "" or "off" disables (env `+config.EnvWorkerHTTPAddr+")")
	fl.String(config.FlagLogLevel, config.DefaultLogLevel, "debug, info, warn or error (env "+config.EnvLogLevel+")")
	fl.String(config.FlagShutdownTimeout, config.DefaultWorkerShutdownTimeout.String(), "how long SIGTERM may take to release sessions and commit (env "+config.EnvWorkerShutdownTimeout+")")
	return cmd
}

const longHelp = `Run, in the foreground, the work the platform runs as daemons:

  - the replay runner: every replay session that is running and not held by
    a live runner (started with --detach, resumed with --detach, or whose
    runner died) is run here, at most --concurrency at once;
  - the DLQ processor: the work of 'replayctl dlq process', continuously.

Several workers on the same database and cluster share the work: a session
is run by one worker at a time (a lease that expires after --lease-ttl if
its worker dies, after which another worker continues it from its last
checkpoint), the DLQ topic's partitions are split by the consumer group,
and each due retry is claimed before it is sent.

--http-addr serves /healthz (the process is up), /readyz (MongoDB and Kafka
answer; 503 with a JSON body naming what is down otherwise) and /metrics
(Prometheus text format).

Logs go to stderr: JSON lines when stderr is not a terminal, text when it is.
Every line about a session carries session_id; about a DLQ message, event_id.

On SIGTERM or Ctrl-C the worker takes no new work, checkpoints and releases
every session it runs (they stay running, so another worker continues them
at once), lets the DLQ processor commit its offsets, and exits 0 within
--shutdown-timeout (1 if that passes). A second signal exits at once.

If MongoDB or Kafka goes away while the worker runs, /readyz turns 503 and
the worker backs off (up to 30s between attempts) until they return. At
start, both must answer (exit 5 otherwise), so a wrong address fails fast.

Every worker setting can also come from the environment (see each flag) or
from the 'worker:' section of the config context; flags win over the
environment, which wins over the context.`

// changedFlags returns the worker flags set on the command line.
func changedFlags(fs *pflag.FlagSet) config.Overrides {
	out := config.Overrides{}
	for _, name := range workerFlags {
		if fl := fs.Lookup(name); fl != nil && fl.Changed {
			out[name] = fl.Value.String()
		}
	}
	return out
}

// complete resolves and validates every setting, so bad input exits 2
// before any connection is made.
func (o *WorkerOptions) complete() error {
	s, err := o.Factory.Settings()
	if err != nil {
		return err
	}
	w, err := config.ResolveWorker(s, o.Flags, o.Factory.Getenv)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	if !o.Replay && !o.DLQ && !w.Jobs {
		return exitcode.WithHint(exitcode.Usagef("--replay=false, --dlq=false and --jobs=false leave the worker nothing to do"),
			"drop one of them")
	}
	o.Settings, o.Config = s, w
	return nil
}

// describe is the resolved configuration as log attributes.
func (o *WorkerOptions) describe() []any {
	w := o.Config
	addr := w.HTTPAddr
	if addr == "" {
		addr = "off"
	}
	return []any{
		"context", o.Settings.ContextName, "database", o.Settings.Database,
		"replay", o.Replay, "dlq", o.DLQ, "jobs", w.Jobs, "concurrency", w.Concurrency,
		"poll_interval", w.PollInterval.String(), "lease_ttl", w.LeaseTTL.String(),
		"dlq_topic", o.Settings.TopicPrefix + w.DLQTopic, "group", w.Group, "http_addr", addr,
		"shutdown_timeout", w.ShutdownTimeout.String(),
	}
}
