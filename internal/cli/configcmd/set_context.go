package configcmd

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// Flag names of set-context. The first four, and --actor, have the same
// names as global flags of the root command; on set-context they are local flags that
// shadow the global ones and mean the context's values.
const (
	flagMongoURI           = "mongo-uri"
	flagDatabase           = "database"
	flagKafkaBrokers       = "kafka-brokers"
	flagTopicPrefix        = "topic-prefix"
	flagDLQTopic           = "dlq-topic"
	flagEnvironment        = "environment"
	flagEventsCollection   = "events-collection"
	flagSessionsCollection = "sessions-collection"
	flagDLQCollection      = "dlq-collection"
	flagTLS                = "tls"
	flagTLSCAFile          = "tls-ca-file"
	flagTLSCertFile        = "tls-cert-file"
	flagTLSKeyFile         = "tls-key-file"
	flagTLSServerName      = "tls-server-name"
	flagTLSInsecure        = "tls-insecure-skip-verify"
	flagSASLMechanism      = "sasl-mechanism"
	flagSASLUsername       = "sasl-username"
	flagSASLPassword       = "sasl-password"
	flagSASLPasswordStdin  = "sasl-password-stdin"
	flagCurrent            = "current"
	flagAutoCreateTopics   = "kafka-auto-create-topics"
	flagActor              = "actor"
)

var setContextFlags = []string{
	flagMongoURI, flagDatabase, flagKafkaBrokers, flagTopicPrefix, flagDLQTopic, flagEnvironment,
	flagEventsCollection, flagSessionsCollection, flagDLQCollection,
	flagTLS, flagTLSCAFile, flagTLSCertFile, flagTLSKeyFile, flagTLSServerName, flagTLSInsecure,
	flagSASLMechanism, flagSASLUsername, flagSASLPassword, flagSASLPasswordStdin, flagCurrent, flagAutoCreateTopics, flagActor,
}

// maxPasswordBytes bounds what --sasl-password-stdin reads.
const maxPasswordBytes = 64 << 10

// SetContextOptions are the inputs of `config set-context`. Only the fields
// whose flag name is in Changed are applied to the context.
type SetContextOptions struct {
	IO         *output.IOStreams
	ConfigFile func() (*config.File, string, error)

	Name    string          // "" with Current: the current context
	Current bool            // make the context the current one
	Changed map[string]bool // flags given on the command line, by name

	MongoURI     string
	Database     string
	KafkaBrokers string // comma separated
	TopicPrefix  string
	DLQTopic     string
	Environment  string
	// Actor is who commands run with the context act for, in the audit
	// trail (REPLAYCTL_ACTOR and --actor override it).
	Actor string
	// AutoCreateTopics is the context's kafka-auto-create-topics.
	AutoCreateTopics bool

	EventsCollection   string
	SessionsCollection string
	DLQCollection      string

	TLS                   bool
	TLSCAFile             string
	TLSCertFile           string
	TLSKeyFile            string
	TLSServerName         string
	TLSInsecureSkipVerify bool

	SASLMechanism     string
	SASLUsername      string
	SASLPassword      string
	SASLPasswordStdin bool
}

// NewCmdSetContext builds `config set-context`; runF replaces the run in
// flag tests.
func NewCmdSetContext(f *cmdutil.Factory, runF func(context.Context, *SetContextOptions) error) *cobra.Command {
	opts := &SetContextOptions{IO: f.IO, ConfigFile: configFileFunc(f)}
	cmd := &cobra.Command{
		Use:   "set-context [NAME] [flags]",
		Short: "Create a context or change its settings",
		Long: `Create the context NAME in the configuration file, or change an existing one.

Only the settings given as flags change; everything else in the context is
kept. A flag given an empty value removes that setting from the context,
so the environment or the built-in default applies again.

--mongo-uri, --database, --kafka-brokers and --topic-prefix have the same
names as the global connection flags, but here they set the context's
values; they do not select what this command connects to (it connects to
nothing).

--actor names who commands run with this context act for, in the audit
trail and as the requester of DLQ jobs: a shared bastion host or a CI job
sets it once instead of every operator passing --actor. REPLAYCTL_ACTOR
and the global --actor override it; without any, $USER@hostname is used.

--kafka-auto-create-topics makes every Kafka client ask the cluster to
create a topic on first use (REPLAYCTL_KAFKA_AUTO_CREATE_TOPICS=true|false
overrides it). It is meant for development stacks ('replayctl dev' sets it
in the context it writes); leave it off for real clusters, where a replay
to a missing topic is then refused before anything is sent.

Giving any --tls-* file or name turns TLS on unless --tls=false is given.
Prefer --sasl-password-stdin to --sasl-password: a password on the command
line ends up in shell history and in the process list.

All values are checked before the file is written: the MongoDB URI must
start with mongodb:// or mongodb+srv://, broker entries must not be empty,
the SASL mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (any
case) with a username, and a TLS client certificate needs its key. On an
error (exit code 2) the file is left unchanged.

With --current the context also becomes the current context; with
--current and no NAME the current context is changed.`,
		Example: `  # A local development context, made current
  replayctl config set-context dev --mongo-uri mongodb://127.0.0.1:27017 \
    --kafka-brokers 127.0.0.1:9092 --current

  # A production context with TLS and SCRAM, password read from a secret store
  vault kv get -field=password secret/kafka/replayctl | \
    replayctl config set-context prod \
      --mongo-uri 'mongodb+srv://replayctl@cluster0.example.net/?retryWrites=true' \
      --kafka-brokers kafka1.prod:9093,kafka2.prod:9093 \
      --tls-ca-file /etc/ssl/kafka-ca.pem \
      --sasl-mechanism SCRAM-SHA-512 --sasl-username replayctl --sasl-password-stdin

  # An older deployment that prefixes every topic
  replayctl config set-context legacy --topic-prefix dev_

  # Change one setting of the current context
  replayctl config set-context --current --database integr8scode_test

  # Record the CI pipeline as the actor of every command run with a context
  replayctl config set-context ci --actor ci-nightly-redrive

  # Remove the topic prefix from a context
  replayctl config set-context legacy --topic-prefix ""`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return exitcode.WithHint(exitcode.Usagef("%s takes at most one NAME, got %d arguments", cmd.CommandPath(), len(args)),
					"see '"+cmd.CommandPath()+" --help'")
			}
			if current, _ := cmd.Flags().GetBool(flagCurrent); len(args) == 0 && !current {
				return exitcode.WithHint(exitcode.Usagef("%s requires a context NAME (or --current)", cmd.CommandPath()),
					"see '"+cmd.CommandPath()+" --help'")
			}
			return nil
		},
		ValidArgsFunction: completeContextNames(opts.ConfigFile),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			opts.Changed = map[string]bool{}
			for _, name := range setContextFlags {
				if cmd.Flags().Changed(name) {
					opts.Changed[name] = true
				}
			}
			return cmdutil.Run(cmd, opts, runF, setContextRun)
		},
	}

	fl := cmd.Flags()
	fl.StringVar(&opts.MongoURI, flagMongoURI, "", "MongoDB URI of the context (mongodb:// or mongodb+srv://)")
	fl.StringVar(&opts.Database, flagDatabase, "", `MongoDB database of the context (default "integr8scode_db")`)
	fl.StringVar(&opts.KafkaBrokers, flagKafkaBrokers, "", "comma-separated Kafka bootstrap brokers of the context")
	fl.StringVar(&opts.TopicPrefix, flagTopicPrefix, "", "prefix of every Kafka topic name in the context")
	fl.StringVar(&opts.DLQTopic, flagDLQTopic, "", `dead-letter queue topic, without the prefix (default "dead_letter_queue")`)
	fl.StringVar(&opts.Environment, flagEnvironment, "", "platform environment: development|staging|production|test (the DLQ processor keeps test- events only in test)")
	fl.StringVar(&opts.Actor, flagActor, "", "who commands run with the context act for, in the audit trail (default $USER@hostname)")
	fl.BoolVar(&opts.AutoCreateTopics, flagAutoCreateTopics, false, "Kafka clients ask the cluster to create missing topics (development stacks only)")
	fl.StringVar(&opts.EventsCollection, flagEventsCollection, "", `events collection (default "events")`)
	fl.StringVar(&opts.SessionsCollection, flagSessionsCollection, "", `replay sessions collection (default "replay_sessions")`)
	fl.StringVar(&opts.DLQCollection, flagDLQCollection, "", `DLQ messages collection (default "dlq_messages")`)
	fl.BoolVar(&opts.TLS, flagTLS, false, "connect to Kafka over TLS")
	fl.StringVar(&opts.TLSCAFile, flagTLSCAFile, "", "PEM file of CA certificates that verify the Kafka brokers (default: system roots)")
	fl.StringVar(&opts.TLSCertFile, flagTLSCertFile, "", "PEM client certificate for Kafka (needs --tls-key-file)")
	fl.StringVar(&opts.TLSKeyFile, flagTLSKeyFile, "", "PEM private key of the client certificate")
	fl.StringVar(&opts.TLSServerName, flagTLSServerName, "", "server name to verify in the brokers' certificates (default: each broker's host)")
	fl.BoolVar(&opts.TLSInsecureSkipVerify, flagTLSInsecure, false, "do not verify the brokers' certificates (testing only)")
	fl.StringVar(&opts.SASLMechanism, flagSASLMechanism, "", "Kafka SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	fl.StringVar(&opts.SASLUsername, flagSASLUsername, "", "Kafka SASL username")
	fl.StringVar(&opts.SASLPassword, flagSASLPassword, "", "Kafka SASL password (visible in shell history; prefer --sasl-password-stdin)")
	fl.BoolVar(&opts.SASLPasswordStdin, flagSASLPasswordStdin, false, "read the Kafka SASL password from standard input")
	fl.BoolVar(&opts.Current, flagCurrent, false, "also make the context current; without NAME, change the current context")
	cmd.MarkFlagsMutuallyExclusive(flagSASLPassword, flagSASLPasswordStdin)
	_ = cmd.RegisterFlagCompletionFunc(flagSASLMechanism, cobra.FixedCompletions(config.Mechanisms, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func setContextRun(_ context.Context, opts *SetContextOptions) error {
	if opts.Changed == nil {
		opts.Changed = map[string]bool{}
	}
	if err := opts.complete(); err != nil {
		return err
	}
	if err := opts.validateFlags(); err != nil {
		return err
	}

	file, path, err := opts.ConfigFile()
	if err != nil {
		return err
	}
	name := opts.Name
	if name == "" {
		if file.CurrentContext == "" {
			return exitcode.WithHint(exitcode.Usagef("--current given without NAME, but no context is current"),
				"name the context: `replayctl config set-context NAME ...`")
		}
		name = file.CurrentContext
	}
	ctx := config.Context{Name: name}
	existing, found := file.Context(name)
	if found {
		ctx = existing.Clone()
	}
	opts.apply(&ctx)
	if err := ctx.Validate(); err != nil {
		return usageIfInvalid(err)
	}

	file.SetContext(ctx)
	switched := opts.Current && file.CurrentContext != name
	if opts.Current {
		file.CurrentContext = name
	}
	if err := file.Save(path); err != nil {
		return err
	}

	verb := "created"
	if found {
		verb = "modified"
	}
	if _, err := fmt.Fprintf(opts.IO.Out, "Context %s %s.\n", quoted(name), verb); err != nil {
		return err
	}
	if switched {
		if _, err := fmt.Fprintf(opts.IO.Out, "Switched to context %s.\n", quoted(name)); err != nil {
			return err
		}
	}
	if opts.Changed[flagSASLPassword] && !opts.SASLPasswordStdin && opts.SASLPassword != "" {
		fmt.Fprintf(opts.IO.ErrOut, "Warning: a password given with --%s stays in shell history; prefer --%s.\n",
			flagSASLPassword, flagSASLPasswordStdin)
	}
	if !found && file.CurrentContext == "" {
		fmt.Fprintf(opts.IO.ErrOut, "No context is current: use this one with `replayctl config use-context %s` or `--context %s`.\n", name, name)
	}
	return nil
}

// complete reads the password from standard input when asked to.
func (o *SetContextOptions) complete() error {
	if !o.SASLPasswordStdin {
		return nil
	}
	if o.Changed[flagSASLPassword] {
		return exitcode.Usagef("--%s and --%s cannot be used together", flagSASLPassword, flagSASLPasswordStdin)
	}
	if o.IO == nil || o.IO.In == nil {
		return exitcode.Usagef("--%s: no standard input", flagSASLPasswordStdin)
	}
	data, err := io.ReadAll(io.LimitReader(o.IO.In, maxPasswordBytes+1))
	if err != nil {
		return fmt.Errorf("read password from standard input: %w", err)
	}
	if len(data) > maxPasswordBytes {
		return exitcode.Usagef("--%s: standard input is longer than %d bytes", flagSASLPasswordStdin, maxPasswordBytes)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if pw == "" {
		return exitcode.Usagef("--%s: standard input is empty", flagSASLPasswordStdin)
	}
	o.SASLPassword = pw
	o.Changed[flagSASLPassword] = true
	return nil
}

// validateFlags rejects bad flag values before the file is read, with a
// usage error naming the flag.
func (o *SetContextOptions) validateFlags() error {
	if o.Name != "" {
		if err := config.ValidateContextName(o.Name); err != nil {
			return usageIfInvalid(err)
		}
	}
	if o.Changed[flagMongoURI] && o.MongoURI != "" {
		if err := config.ValidateMongoURI(o.MongoURI); err != nil {
			return usageIfInvalid(err)
		}
	}
	if o.Changed[flagKafkaBrokers] && o.KafkaBrokers != "" {
		if _, err := config.ParseBrokers(o.KafkaBrokers); err != nil {
			return usageIfInvalid(err)
		}
	}
	if o.Changed[flagEnvironment] && o.Environment != "" && !slices.Contains(config.Environments, o.Environment) {
		return exitcode.Usagef("invalid --environment %q: valid values are %s", o.Environment, strings.Join(config.Environments, ", "))
	}
	if o.Changed[flagSASLMechanism] && o.SASLMechanism != "" {
		m, err := config.ParseMechanism(o.SASLMechanism)
		if err != nil {
			return usageIfInvalid(err)
		}
		o.SASLMechanism = m
	}
	return nil
}

// apply copies the changed flag values into c.
func (o *SetContextOptions) apply(c *config.Context) {
	set := func(flag string, dst *string, v string) {
		if o.Changed[flag] {
			*dst = v
		}
	}
	set(flagMongoURI, &c.MongoURI, o.MongoURI)
	set(flagDatabase, &c.Database, o.Database)
	set(flagTopicPrefix, &c.TopicPrefix, o.TopicPrefix)
	set(flagDLQTopic, &c.DLQTopic, o.DLQTopic)
	set(flagEnvironment, &c.Environment, o.Environment)
	set(flagActor, &c.Actor, strings.TrimSpace(o.Actor))
	set(flagEventsCollection, &c.Collections.Events, o.EventsCollection)
	set(flagSessionsCollection, &c.Collections.Sessions, o.SessionsCollection)
	set(flagDLQCollection, &c.Collections.DLQ, o.DLQCollection)
	if o.Changed[flagAutoCreateTopics] {
		c.KafkaAutoCreateTopics = o.AutoCreateTopics
	}
	if o.Changed[flagKafkaBrokers] {
		c.KafkaBrokers = nil
		if o.KafkaBrokers != "" {
			c.KafkaBrokers, _ = config.ParseBrokers(o.KafkaBrokers) // validated in validateFlags
		}
	}

	if o.anyChanged(flagTLS, flagTLSCAFile, flagTLSCertFile, flagTLSKeyFile, flagTLSServerName, flagTLSInsecure) {
		t := &config.TLS{}
		if c.TLS != nil {
			t = c.TLS
		}
		set(flagTLSCAFile, &t.CAFile, o.TLSCAFile)
		set(flagTLSCertFile, &t.CertFile, o.TLSCertFile)
		set(flagTLSKeyFile, &t.KeyFile, o.TLSKeyFile)
		set(flagTLSServerName, &t.ServerName, o.TLSServerName)
		if o.Changed[flagTLSInsecure] {
			t.InsecureSkipVerify = o.TLSInsecureSkipVerify
		}
		switch {
		case o.Changed[flagTLS]:
			t.Enabled = o.TLS
		case o.TLSCAFile != "" || o.TLSCertFile != "" || o.TLSKeyFile != "" || o.TLSServerName != "" || o.TLSInsecureSkipVerify:
			t.Enabled = true // giving TLS details means using TLS
		}
		c.TLS = t
		if *t == (config.TLS{}) {
			c.TLS = nil
		}
	}

	if o.anyChanged(flagSASLMechanism, flagSASLUsername, flagSASLPassword) {
		s := &config.SASL{}
		if c.SASL != nil {
			s = c.SASL
		}
		set(flagSASLMechanism, &s.Mechanism, o.SASLMechanism)
		set(flagSASLUsername, &s.Username, o.SASLUsername)
		set(flagSASLPassword, &s.Password, o.SASLPassword)
		c.SASL = s
		if *s == (config.SASL{}) {
			c.SASL = nil
		}
	}
}

func (o *SetContextOptions) anyChanged(flags ...string) bool {
	for _, f := range flags {
		if o.Changed[f] {
			return true
		}
	}
	return false
}
