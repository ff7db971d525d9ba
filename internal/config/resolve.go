package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/output"
)

// DefaultTimeout is the per-command timeout when none is configured.
const DefaultTimeout = 10 * time.Second

// Environment variables read by Resolve.
const (
	EnvMongoURI     = "REPLAYCTL_MONGO_URI"
	EnvDatabase     = "REPLAYCTL_DATABASE"
	EnvKafkaBrokers = "REPLAYCTL_KAFKA_BROKERS"
	EnvTopicPrefix  = "REPLAYCTL_TOPIC_PREFIX"
	EnvContext      = "REPLAYCTL_CONTEXT"
	EnvConfig       = "REPLAYCTL_CONFIG"
	EnvOutput       = "REPLAYCTL_OUTPUT"
	EnvTimeout      = "REPLAYCTL_TIMEOUT"
	EnvNoColor      = "REPLAYCTL_NO_COLOR"
	EnvEnvironment  = "REPLAYCTL_ENVIRONMENT"
	// EnvKafkaAutoCreateTopics (true/false) overrides the context's
	// kafka-auto-create-topics.
	EnvKafkaAutoCreateTopics = "REPLAYCTL_KAFKA_AUTO_CREATE_TOPICS"
	// EnvActor names who runs the commands, for the audit trail and jobs.
	EnvActor = "REPLAYCTL_ACTOR"
)

// Settings are the resolved values one command runs with.
type Settings struct {
	ConfigPath  string // the configuration file in use ("" when none could be determined)
	ContextName string // the selected context ("" when none)

	MongoURI     string
	Database     string
	KafkaBrokers []string
	TopicPrefix  string
	DLQTopic     string // without the prefix; see DLQTopicName
	// KafkaAutoCreateTopics: clients ask the cluster to create missing
	// topics (dev stack and tests only; default false).
	KafkaAutoCreateTopics bool
	// Environment is development, staging, production or test.
	Environment string
	Collections Collections
	TLS         *TLS
	SASL        *SASL
	// Worker is the context's `worker:` section (nil when absent); see
	// ResolveWorker.
	Worker *WorkerSettings

	// Actor is who the commands act for: recorded in the audit trail and
	// as the requester of DLQ jobs (see resolveActor).
	Actor string

	Timeout time.Duration
	Output  string // table, json or yaml
	NoColor bool
}

// Topic returns the Kafka topic for an event type (or any base name): the
// configured prefix followed by name.
func (s *Settings) Topic(name string) string { return s.TopicPrefix + name }

// DLQTopicName returns the dead letter queue topic, prefix included.
func (s *Settings) DLQTopicName() string { return s.TopicPrefix + s.DLQTopic }

// Overrides holds the flag values the user set explicitly, keyed by flag
// name: "mongo-uri", "database", "kafka-brokers" (comma separated),
// "topic-prefix", "context", "config", "output", "timeout", "no-color".
// An empty value counts as not given, except for "topic-prefix", where
// --topic-prefix="" removes a prefix set by the environment or context.
type Overrides map[string]string

// ValidationError is a setting with a value that cannot be used. Callers
// map it to the usage exit code (2).
type ValidationError struct {
	Field string // the setting or flag, e.g. "timeout"
	Msg   string // what is wrong, never containing a secret
	Err   error  // optional underlying error, e.g. *ContextNotFoundError
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func (e *ValidationError) Unwrap() error { return e.Err }

// ContextNotFoundError is a context name that is not in the configuration
// file. Resolve returns it wrapped in a *ValidationError.
type ContextNotFoundError struct {
	Name      string
	Path      string
	Available []string
}

func (e *ContextNotFoundError) Error() string {
	where := "the configuration file"
	if e.Path != "" {
		where = e.Path
	}
	if len(e.Available) == 0 {
		return fmt.Sprintf("context %q not found: %s defines no contexts", e.Name, where)
	}
	return fmt.Sprintf("context %q not found in %s (available: %s)", e.Name, where, strings.Join(e.Available, ", "))
}

// ConfigPath returns the configuration file to use: --config, else
// REPLAYCTL_CONFIG, else DefaultPath. It is "" when none can be determined.
func ConfigPath(over Overrides, getenv func(string) string) string {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if p := pickNonEmpty(over, getenv, "config", EnvConfig); p.set {
		return p.value
	}
	return DefaultPath(getenv)
}

// source describes where a value came from, for error messages.
type source struct {
	value  string
	origin string
	set    bool
}

// pick returns the flag value if set, else the non-empty environment value.
func pick(over Overrides, getenv func(string) string, flag, env string) source {
	if v, ok := over[flag]; ok {
		return source{value: v, origin: "--" + flag, set: true}
	}
	if env != "" {
		if v := getenv(env); v != "" {
			return source{value: v, origin: env, set: true}
		}
	}
	return source{}
}

// pickNonEmpty is pick for settings where an empty value means "not set".
func pickNonEmpty(over Overrides, getenv func(string) string, flag, env string) source {
	if v := over[flag]; v != "" {
		return source{value: v, origin: "--" + flag, set: true}
	}
	if v := getenv(env); v != "" {
		return source{value: v, origin: env, set: true}
	}
	return source{}
}

func (s source) errf(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if s.origin != "" {
		msg += " (from " + s.origin + ")"
	}
	return &ValidationError{Field: field, Msg: msg}
}

// Resolve computes the settings for one command. Each value comes from, in
// order of precedence: an explicitly set flag (over), the environment
// (REPLAYCTL_*; NO_COLOR for colour), the selected context, the default.
//
// The configuration file is --config, else REPLAYCTL_CONFIG, else
// DefaultPath; it is loaded here and returned too. The context is
// --context, else REPLAYCTL_CONTEXT, else the file's current-context; a
// named context that does not exist is an error listing the available ones.
//
// Errors in values (timeout, output, brokers, mongo-uri, TLS, SASL, unknown
// context) are *ValidationError; a file that cannot be read or parsed is a
// plain error.
func Resolve(over Overrides, getenv func(string) string) (*Settings, *File, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	s := &Settings{}

	s.ConfigPath = ConfigPath(over, getenv)
	file, err := Load(s.ConfigPath)
	if err != nil {
		return nil, nil, err
	}

	var ctx Context
	sel := pickNonEmpty(over, getenv, "context", EnvContext)
	if !sel.set {
		sel = source{value: file.CurrentContext, origin: "current-context in " + s.ConfigPath, set: file.CurrentContext != ""}
	}
	if sel.set {
		c, ok := file.Context(sel.value)
		if !ok {
			nf := &ContextNotFoundError{Name: sel.value, Path: s.ConfigPath, Available: file.ContextNames()}
			msg := strings.TrimPrefix(nf.Error(), "context ") + " (from " + sel.origin + ")"
			return nil, nil, &ValidationError{Field: "context", Msg: msg, Err: nf}
		}
		ctx = c.Clone()
		s.ContextName = ctx.Name
	}
	ctxOrigin := fmt.Sprintf("context %q", s.ContextName)

	// An empty --mongo-uri or --database means "not given": neither can be
	// empty, and the root command declares them with empty defaults.
	str := func(flag, env, ctxVal, def string) source {
		if p := pickNonEmpty(over, getenv, flag, env); p.set {
			return p
		}
		if ctxVal != "" {
			return source{value: ctxVal, origin: ctxOrigin, set: true}
		}
		return source{value: def}
	}

	mongo := str("mongo-uri", EnvMongoURI, ctx.MongoURI, DefaultMongoURI)
	if err := ValidateMongoURI(mongo.value); err != nil {
		var ve *ValidationError
		errors.As(err, &ve)
		return nil, nil, mongo.errf("mongo-uri", "%s", ve.Msg)
	}
	s.MongoURI = mongo.value

	s.Database = str("database", EnvDatabase, ctx.Database, DefaultDatabase).value

	if p := pickNonEmpty(over, getenv, "kafka-brokers", EnvKafkaBrokers); p.set {
		brokers, err := ParseBrokers(p.value)
		if err != nil {
			return nil, nil, p.errf("kafka-brokers", "empty broker address in %q", p.value)
		}
		s.KafkaBrokers = brokers
	} else if len(ctx.KafkaBrokers) > 0 {
		for _, b := range ctx.KafkaBrokers {
			if strings.TrimSpace(b) == "" {
				return nil, nil, (source{origin: ctxOrigin}).errf("kafka-brokers", "empty broker address in list")
			}
			s.KafkaBrokers = append(s.KafkaBrokers, strings.TrimSpace(b))
		}
	} else {
		s.KafkaBrokers = []string{DefaultBroker}
	}

	// An explicit empty --topic-prefix removes the context's prefix.
	if p := pick(over, getenv, "topic-prefix", EnvTopicPrefix); p.set {
		s.TopicPrefix = p.value
	} else {
		s.TopicPrefix = ctx.TopicPrefix
	}
	// Every command that reads the DLQ topic honours the same variable the
	// worker does, so `dlq process` and a worker agree on the topic.
	if v := getenv(EnvDLQTopic); v != "" {
		s.DLQTopic = v
	} else {
		s.DLQTopic = ctx.DLQTopic
	}
	s.KafkaAutoCreateTopics = ctx.KafkaAutoCreateTopics
	if v := getenv(EnvKafkaAutoCreateTopics); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, nil, (source{origin: EnvKafkaAutoCreateTopics}).errf("kafka-auto-create-topics", "%q is not a boolean", v)
		}
		s.KafkaAutoCreateTopics = b
	}
	s.Worker = ctx.Worker
	s.Actor = resolveActor(over, getenv, ctx.Actor)
	if err := resolveEnvironment(s, ctx, getenv); err != nil {
		return nil, nil, err
	}
	if s.DLQTopic == "" {
		s.DLQTopic = DefaultDLQTopic
	}

	s.Collections = DefaultCollections()
	if ctx.Collections.Events != "" {
		s.Collections.Events = ctx.Collections.Events
	}
	if ctx.Collections.Sessions != "" {
		s.Collections.Sessions = ctx.Collections.Sessions
	}
	if ctx.Collections.DLQ != "" {
		s.Collections.DLQ = ctx.Collections.DLQ
	}

	if ctx.TLS != nil {
		if err := validateTLS(ctx.TLS); err != nil {
			return nil, nil, withOrigin(err, ctxOrigin)
		}
		s.TLS = ctx.TLS
	}
	if ctx.SASL != nil && (*ctx.SASL != SASL{}) {
		if err := validateSASL(ctx.SASL); err != nil {
			return nil, nil, withOrigin(err, ctxOrigin)
		}
		ctx.SASL.Mechanism, _ = ParseMechanism(ctx.SASL.Mechanism)
		s.SASL = ctx.SASL
	}

	s.Timeout = DefaultTimeout
	if p := pick(over, getenv, "timeout", EnvTimeout); p.set {
		d, err := ParseTimeout(p.value)
		if err != nil {
			return nil, nil, p.errf("timeout", "%s", err)
		}
		s.Timeout = d
	}

	s.Output = DefaultOutput
	if p := pick(over, getenv, "output", EnvOutput); p.set {
		o, err := output.ParseFormat(p.value)
		if err != nil {
			return nil, nil, p.errf("output", "%s", err)
		}
		s.Output = string(o)
	}

	if v, ok := over["no-color"]; ok {
		b, err := parseBoolFlag(v)
		if err != nil {
			return nil, nil, (source{origin: "--no-color"}).errf("no-color", "%q is not a boolean", v)
		}
		s.NoColor = b
	} else if getenv("NO_COLOR") != "" {
		s.NoColor = true
	} else if v := getenv(EnvNoColor); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, nil, (source{origin: EnvNoColor}).errf("no-color", "%q is not a boolean", v)
		}
		s.NoColor = b
	}

	return s, file, nil
}

func withOrigin(err error, origin string) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &ValidationError{Field: ve.Field, Msg: ve.Msg + " (from " + origin + ")", Err: ve.Err}
	}
	return err
}

// parseBoolFlag accepts what pflag's bool flags print ("true"/"false") and
// treats an empty value as true (a bare --no-color).
func parseBoolFlag(v string) (bool, error) {
	if v == "" {
		return true, nil
	}
	return strconv.ParseBool(v)
}

// ParseTimeout parses a timeout: a Go duration ("30s", "2m", "1m30s") or a
// plain number of seconds ("30"). It must be greater than zero.
func ParseTimeout(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.ParseInt(v, 10, 32)
		if nerr != nil {
			return 0, fmt.Errorf("invalid duration %q (use e.g. 30s, 2m or 1m30s)", v)
		}
		d = time.Duration(n) * time.Second
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be greater than zero, got %q", v)
	}
	return d, nil
}

// Environments are the contract's metadata.environment values.
var Environments = []string{"development", "staging", "production", "test"}

func resolveEnvironment(s *Settings, ctx Context, getenv func(string) string) error {
	s.Environment = DefaultEnvironment
	origin := "default"
	if v := getenv(EnvEnvironment); v != "" {
		s.Environment, origin = v, EnvEnvironment
	} else if ctx.Environment != "" {
		s.Environment, origin = ctx.Environment, "context "+ctx.Name
	}
	for _, e := range Environments {
		if s.Environment == e {
			return nil
		}
	}
	return &ValidationError{Field: "environment", Msg: fmt.Sprintf("invalid value %q (from %s): valid values are %s",
		s.Environment, origin, strings.Join(Environments, ", "))}
}

// resolveActor picks --actor, then REPLAYCTL_ACTOR, then the context's
// actor, else $USER@hostname: the identity a shared bastion host or a CI
// job should set explicitly, and a sensible guess everywhere else.
func resolveActor(over Overrides, getenv func(string) string, fromContext string) string {
	if p := pickNonEmpty(over, getenv, "actor", EnvActor); strings.TrimSpace(p.value) != "" {
		return strings.TrimSpace(p.value)
	}
	if a := strings.TrimSpace(fromContext); a != "" {
		return a
	}
	user := getenv("USER")
	if user == "" {
		user = getenv("LOGNAME")
	}
	if user == "" {
		user = "unknown"
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return user + "@" + host
}
