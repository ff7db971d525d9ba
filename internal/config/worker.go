package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/logging"
)

// WorkerSettings is the optional `worker:` section of a context: what
// `replayctl worker` runs with when neither a flag nor the environment says
// otherwise. Durations are strings ("2s", "1m30s", or plain seconds) so the
// file stays readable and errors can name the bad value.
//
//	contexts:
//	  - name: prod
//	    worker:
//	      concurrency: 4
//	      poll-interval: 2s
//	      http-addr: 0.0.0.0:9464
//	      log-level: info
type WorkerSettings struct {
	Concurrency  *int   `yaml:"concurrency,omitempty" json:"concurrency,omitempty"`
	PollInterval string `yaml:"poll-interval,omitempty" json:"poll-interval,omitempty"`
	LeaseTTL     string `yaml:"lease-ttl,omitempty" json:"lease-ttl,omitempty"`
	DLQTopic     string `yaml:"dlq-topic,omitempty" json:"dlq-topic,omitempty"`
	Group        string `yaml:"group,omitempty" json:"group,omitempty"`
	// HTTPAddr is a pointer so that `http-addr: ""` (serve nothing) differs
	// from an absent key (the default address).
	HTTPAddr        *string `yaml:"http-addr,omitempty" json:"http-addr,omitempty"`
	LogLevel        string  `yaml:"log-level,omitempty" json:"log-level,omitempty"`
	ShutdownTimeout string  `yaml:"shutdown-timeout,omitempty" json:"shutdown-timeout,omitempty"`
	// Jobs is a pointer so that `jobs: false` differs from an absent key.
	Jobs *bool `yaml:"jobs,omitempty" json:"jobs,omitempty"`
}

// Clone returns a deep copy (nil stays nil).
func (w *WorkerSettings) Clone() *WorkerSettings {
	if w == nil {
		return nil
	}
	out := *w
	if w.Concurrency != nil {
		n := *w.Concurrency
		out.Concurrency = &n
	}
	if w.HTTPAddr != nil {
		a := *w.HTTPAddr
		out.HTTPAddr = &a
	}
	if w.Jobs != nil {
		j := *w.Jobs
		out.Jobs = &j
	}
	return &out
}

// Environment variables read by ResolveWorker.
const (
	EnvWorkerConcurrency     = "REPLAYCTL_WORKER_CONCURRENCY"
	EnvWorkerPollInterval    = "REPLAYCTL_WORKER_POLL_INTERVAL"
	EnvWorkerLeaseTTL        = "REPLAYCTL_WORKER_LEASE_TTL"
	EnvDLQTopic              = "REPLAYCTL_DLQ_TOPIC"
	EnvWorkerGroup           = "REPLAYCTL_WORKER_GROUP"
	EnvWorkerHTTPAddr        = "REPLAYCTL_WORKER_HTTP_ADDR"
	EnvLogLevel              = "REPLAYCTL_LOG_LEVEL"
	EnvWorkerShutdownTimeout = "REPLAYCTL_WORKER_SHUTDOWN_TIMEOUT"
	EnvWorkerJobs            = "REPLAYCTL_WORKER_JOBS"
)

// Worker defaults.
const (
	DefaultWorkerConcurrency     = 2
	DefaultWorkerPollInterval    = 2 * time.Second
	DefaultWorkerLeaseTTL        = 30 * time.Second // replay.DefaultLeaseTTL; see there
	DefaultWorkerGroup           = "replayctl-dlq"
	DefaultWorkerHTTPAddr        = "127.0.0.1:9464"
	DefaultLogLevel              = "info"
	DefaultWorkerShutdownTimeout = 30 * time.Second

	// MaxWorkerConcurrency keeps a typo (4000 for 4) from opening thousands
	// of cursors and producers at once.
	MaxWorkerConcurrency = 1000
	// MinWorkerLeaseTTL: the runner renews every third of the TTL and stops
	// trusting its claim a fifth before expiry; below a second that leaves
	// no room for one MongoDB round trip.
	MinWorkerLeaseTTL = time.Second
	// HTTPAddrOff disables the HTTP server from any source, including the
	// environment, where an empty value means "not set".
	HTTPAddrOff = "off"
)

// Worker flag names, as ResolveWorker expects them in its flags argument.
const (
	FlagConcurrency     = "concurrency"
	FlagPollInterval    = "poll-interval"
	FlagLeaseTTL        = "lease-ttl"
	FlagDLQTopic        = "dlq-topic"
	FlagGroup           = "group"
	FlagHTTPAddr        = "http-addr"
	FlagLogLevel        = "log-level"
	FlagShutdownTimeout = "shutdown-timeout"
	FlagJobs            = "jobs"
)

// WorkerConfig is what one `replayctl worker` runs with, fully resolved and
// validated.
type WorkerConfig struct {
	Concurrency     int
	PollInterval    time.Duration
	LeaseTTL        time.Duration
	ShutdownTimeout time.Duration
	// DLQTopic is the DLQ topic without the topic prefix, like
	// Settings.DLQTopic.
	DLQTopic string
	Group    string
	// HTTPAddr is the health and metrics listen address; "" serves nothing.
	HTTPAddr string
	LogLevel string
	// Jobs runs DLQ redrive jobs (default on).
	Jobs bool
}

// ResolveWorker computes the worker settings. Each value comes from, in
// order: an explicitly set flag (flags, keyed by the Flag* names, holding
// the flag's text), the environment (REPLAYCTL_WORKER_*, REPLAYCTL_DLQ_TOPIC,
// REPLAYCTL_LOG_LEVEL), the `worker:` section of the selected context
// (s.Worker), the default. The DLQ topic also falls back to the context's
// own dlq-topic (s.DLQTopic) before the default.
//
// Every value is validated; errors are *ValidationError naming the setting
// and where the bad value came from.
func ResolveWorker(s *Settings, flags Overrides, getenv func(string) string) (*WorkerConfig, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	ws := &WorkerSettings{}
	if s != nil && s.Worker != nil {
		ws = s.Worker
	}
	ctxName := ""
	if s != nil {
		ctxName = s.ContextName
	}
	r := workerResolver{flags: flags, getenv: getenv, ctxName: ctxName}
	w := &WorkerConfig{}
	var err error
	if w.Concurrency, err = r.concurrency(ws.Concurrency); err != nil {
		return nil, err
	}
	for _, d := range []struct {
		flag, env, ctx string
		def, min       time.Duration
		dst            *time.Duration
	}{
		{FlagPollInterval, EnvWorkerPollInterval, ws.PollInterval, DefaultWorkerPollInterval, 0, &w.PollInterval},
		{FlagLeaseTTL, EnvWorkerLeaseTTL, ws.LeaseTTL, DefaultWorkerLeaseTTL, MinWorkerLeaseTTL, &w.LeaseTTL},
		{FlagShutdownTimeout, EnvWorkerShutdownTimeout, ws.ShutdownTimeout, DefaultWorkerShutdownTimeout, 0, &w.ShutdownTimeout},
	} {
		if *d.dst, err = r.duration(d.flag, d.env, d.ctx, d.def, d.min); err != nil {
			return nil, err
		}
	}
	if w.DLQTopic, err = r.dlqTopic(ws.DLQTopic, s); err != nil {
		return nil, err
	}
	if w.Group, err = r.name(FlagGroup, EnvWorkerGroup, ws.Group, DefaultWorkerGroup); err != nil {
		return nil, err
	}
	if w.HTTPAddr, err = r.httpAddr(ws.HTTPAddr); err != nil {
		return nil, err
	}
	if w.LogLevel, err = r.logLevel(ws.LogLevel); err != nil {
		return nil, err
	}
	if w.Jobs, err = r.jobs(ws.Jobs); err != nil {
		return nil, err
	}
	return w, nil
}

func (r workerResolver) jobs(ctxVal *bool) (bool, error) {
	cv := ""
	if ctxVal != nil {
		cv = strconv.FormatBool(*ctxVal)
	}
	p := r.pick(FlagJobs, EnvWorkerJobs, cv)
	if !p.set {
		return true, nil
	}
	on, err := strconv.ParseBool(strings.TrimSpace(p.value))
	if err != nil {
		return false, p.errf(FlagJobs, "%q is not true or false", p.value)
	}
	return on, nil
}

type workerResolver struct {
	flags   Overrides
	getenv  func(string) string
	ctxName string
}

// pick returns the first source that sets a value: the flag (even empty,
// the caller decides what empty means), the non-empty environment, the
// non-empty context value.
func (r workerResolver) pick(flag, env, ctxVal string) source {
	if v, ok := r.flags[flag]; ok {
		return source{value: v, origin: "--" + flag, set: true}
	}
	if v := r.getenv(env); v != "" {
		return source{value: v, origin: env, set: true}
	}
	if ctxVal != "" {
		return source{value: ctxVal, origin: fmt.Sprintf("context %q worker.%s", r.ctxName, flag), set: true}
	}
	return source{}
}

func (r workerResolver) concurrency(ctxVal *int) (int, error) {
	cv := ""
	if ctxVal != nil {
		cv = strconv.Itoa(*ctxVal)
	}
	p := r.pick(FlagConcurrency, EnvWorkerConcurrency, cv)
	if !p.set {
		return DefaultWorkerConcurrency, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.value))
	if err != nil {
		return 0, p.errf(FlagConcurrency, "%q is not a whole number", p.value)
	}
	if n < 1 || n > MaxWorkerConcurrency {
		return 0, p.errf(FlagConcurrency, "must be between 1 and %d, got %d", MaxWorkerConcurrency, n)
	}
	return n, nil
}

func (r workerResolver) duration(flag, env, ctxVal string, def, min time.Duration) (time.Duration, error) {
	p := r.pick(flag, env, ctxVal)
	if !p.set {
		return def, nil
	}
	d, err := ParseTimeout(p.value)
	if err != nil {
		return 0, p.errf(flag, "%s", err)
	}
	if d < min {
		return 0, p.errf(flag, "must be at least %s, got %s", min, d)
	}
	return d, nil
}

func (r workerResolver) name(flag, env, ctxVal, def string) (string, error) {
	p := r.pick(flag, env, ctxVal)
	if !p.set {
		return def, nil
	}
	v := strings.TrimSpace(p.value)
	if v == "" {
		return "", p.errf(flag, "must not be empty")
	}
	if strings.ContainsAny(v, " \t\r\n") {
		return "", p.errf(flag, "%q must not contain spaces", v)
	}
	return v, nil
}

func (r workerResolver) dlqTopic(ctxVal string, s *Settings) (string, error) {
	def := DefaultDLQTopic
	if s != nil && s.DLQTopic != "" {
		def = s.DLQTopic
	}
	return r.name(FlagDLQTopic, EnvDLQTopic, ctxVal, def)
}

func (r workerResolver) httpAddr(ctxVal *string) (string, error) {
	p := r.pick(FlagHTTPAddr, EnvWorkerHTTPAddr, "")
	if !p.set && ctxVal != nil {
		p = source{value: *ctxVal, origin: fmt.Sprintf("context %q worker.%s", r.ctxName, FlagHTTPAddr), set: true}
	}
	if !p.set {
		return DefaultWorkerHTTPAddr, nil
	}
	v := strings.TrimSpace(p.value)
	if v == "" || strings.EqualFold(v, HTTPAddrOff) {
		return "", nil
	}
	if err := validateListenAddr(v); err != nil {
		return "", p.errf(FlagHTTPAddr, "%s", err)
	}
	return v, nil
}

// validateListenAddr accepts host:port and :port with a numeric port
// (0 picks a free one).
func validateListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid address %q (want host:port, e.g. 127.0.0.1:9464 or :9464; %q disables it)", addr, HTTPAddrOff)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid port %q in %q (want 0 to 65535)", port, addr)
	}
	return nil
}

func (r workerResolver) logLevel(ctxVal string) (string, error) {
	p := r.pick(FlagLogLevel, EnvLogLevel, ctxVal)
	if !p.set {
		return DefaultLogLevel, nil
	}
	lvl, err := logging.ParseLevel(p.value)
	if err != nil {
		return "", p.errf(FlagLogLevel, "%s", err)
	}
	return strings.ToLower(lvl.String()), nil
}
