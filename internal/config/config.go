// Package config reads and writes replayctl's configuration file and resolves
// the settings one command runs with.
//
// The file holds named contexts, kubectl style: each context is a complete set
// of connection settings (MongoDB, Kafka, TLS, SASL) and current-context names
// the one used when no --context flag or REPLAYCTL_CONTEXT is given.
//
//	current-context: prod
//	contexts:
//	  - name: prod
//	    mongo-uri: mongodb://replayctl:secret@db1:27017,db2:27017/?replicaSet=rs0
//	    database: integr8scode_db
//	    kafka-brokers: [kafka1:9092, kafka2:9092]
//	    topic-prefix: prod_
//	    sasl: {mechanism: SCRAM-SHA-512, username: replayctl, password: secret}
//
// The file may contain passwords, so it is written with mode 0600 inside a
// 0700 directory, and always atomically (temporary file, then rename), so a
// crash never leaves a half-written file behind.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// File is the content of the configuration file.
type File struct {
	CurrentContext string    `yaml:"current-context,omitempty" json:"current-context,omitempty"`
	Contexts       []Context `yaml:"contexts" json:"contexts"`
}

// Context is one named set of connection settings.
type Context struct {
	Name         string   `yaml:"name" json:"name"`
	MongoURI     string   `yaml:"mongo-uri,omitempty" json:"mongo-uri,omitempty"`
	Database     string   `yaml:"database,omitempty" json:"database,omitempty"`
	KafkaBrokers []string `yaml:"kafka-brokers,omitempty" json:"kafka-brokers,omitempty"`
	TopicPrefix  string   `yaml:"topic-prefix,omitempty" json:"topic-prefix,omitempty"`
	DLQTopic     string   `yaml:"dlq-topic,omitempty" json:"dlq-topic,omitempty"`
	// KafkaAutoCreateTopics makes every Kafka client ask the cluster to
	// create a topic on first use. `replayctl dev` writes it true; leave it
	// off for real clusters, where a missing topic must be reported.
	KafkaAutoCreateTopics bool `yaml:"kafka-auto-create-topics,omitempty" json:"kafka-auto-create-topics,omitempty"`
	// Environment is the platform's deployment environment; the DLQ
	// processor drops `test-` events everywhere but in "test".
	Environment string      `yaml:"environment,omitempty" json:"environment,omitempty"`
	Collections Collections `yaml:"collections,omitempty" json:"collections,omitzero"`
	TLS         *TLS        `yaml:"tls,omitempty" json:"tls,omitempty"`
	SASL        *SASL       `yaml:"sasl,omitempty" json:"sasl,omitempty"`
	// Worker holds `replayctl worker` settings (see worker.go).
	Worker *WorkerSettings `yaml:"worker,omitempty" json:"worker,omitempty"`
	// Actor is who commands run with this context act for (audit trail,
	// job requester); REPLAYCTL_ACTOR and --actor override it.
	Actor string `yaml:"actor,omitempty" json:"actor,omitempty"`
}

// Collections names the platform's MongoDB collections. An empty field means
// the platform default (see DefaultCollections).
type Collections struct {
	Events   string `yaml:"events,omitempty" json:"events,omitempty"`
	Sessions string `yaml:"sessions,omitempty" json:"sessions,omitempty"`
	DLQ      string `yaml:"dlq,omitempty" json:"dlq,omitempty"`
}

// TLS configures TLS for the Kafka connection.
type TLS struct {
	Enabled            bool   `yaml:"enabled" json:"enabled"`
	CAFile             string `yaml:"ca-file,omitempty" json:"ca-file,omitempty"`
	CertFile           string `yaml:"cert-file,omitempty" json:"cert-file,omitempty"`
	KeyFile            string `yaml:"key-file,omitempty" json:"key-file,omitempty"`
	ServerName         string `yaml:"server-name,omitempty" json:"server-name,omitempty"`
	InsecureSkipVerify bool   `yaml:"insecure-skip-verify,omitempty" json:"insecure-skip-verify,omitempty"`
}

// SASL configures SASL authentication for the Kafka connection.
type SASL struct {
	Mechanism string `yaml:"mechanism,omitempty" json:"mechanism,omitempty"`
	Username  string `yaml:"username,omitempty" json:"username,omitempty"`
	Password  string `yaml:"password,omitempty" json:"password,omitempty"`
}

// Defaults used when neither a flag, the environment nor the context sets a value.
const (
	DefaultMongoURI = "mongodb://127.0.0.1:27017"
	DefaultDatabase = "integr8scode_db"
	DefaultBroker   = "127.0.0.1:9092"
	DefaultDLQTopic = "dead_letter_queue"
	// DefaultEnvironment applies the contract's production rules.
	DefaultEnvironment = "production"
	DefaultOutput      = "table"
	defaultFileMode    = 0o600
	defaultDirMode     = 0o700
	redactedPassword   = "REDACTED"
)

// DefaultCollections returns the platform's collection names.
func DefaultCollections() Collections {
	return Collections{Events: "events", Sessions: "replay_sessions", DLQ: "dlq_messages"}
}

// SASL mechanisms, in their canonical spelling.
const (
	MechanismPlain       = "PLAIN"
	MechanismScramSHA256 = "SCRAM-SHA-256"
	MechanismScramSHA512 = "SCRAM-SHA-512"
)

// Mechanisms lists the supported SASL mechanisms.
var Mechanisms = []string{MechanismPlain, MechanismScramSHA256, MechanismScramSHA512}

// DefaultPath returns where the configuration file lives when neither
// --config nor REPLAYCTL_CONFIG says otherwise:
// $XDG_CONFIG_HOME/replayctl/config.yaml, else $HOME/.config/replayctl/config.yaml.
// It returns "" when neither variable is usable.
func DefaultPath(getenv func(string) string) string {
	if xdg := getenv("XDG_CONFIG_HOME"); xdg != "" && filepath.IsAbs(xdg) {
		return filepath.Join(xdg, "replayctl", "config.yaml")
	}
	for _, key := range []string{"HOME", "USERPROFILE"} {
		if home := getenv(key); home != "" {
			return filepath.Join(home, ".config", "replayctl", "config.yaml")
		}
	}
	return ""
}

// Load reads the configuration file at path. A missing file (or an empty
// path) yields an empty File and no error. Malformed YAML, unknown keys,
// and contexts without a name or with a duplicate name are errors that name
// the file and, where the YAML decoder knows it, the line.
func Load(path string) (*File, error) {
	if path == "" {
		return &File{}, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	return Parse(data, path)
}

// Parse reads the content of a configuration file; path only names it in
// errors. Load's rules apply.
func Parse(data []byte, path string) (*File, error) {
	f := &File{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse config file %s: %s", path, yamlErrorText(err))
	}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	for i := range f.Contexts {
		if s := f.Contexts[i].SASL; s != nil && s.Mechanism != "" {
			if m, err := ParseMechanism(s.Mechanism); err == nil {
				s.Mechanism = m
			}
		}
	}
	return f, nil
}

// yamlErrorText flattens the decoder's multi-line "unmarshal errors" message
// into one line; every entry already starts with "line N:".
func yamlErrorText(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	lines := strings.Split(msg, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// check reports structural problems: empty or duplicate context names.
func (f *File) check() error {
	seen := make(map[string]bool, len(f.Contexts))
	for i, c := range f.Contexts {
		if err := ValidateContextName(c.Name); err != nil {
			return fmt.Errorf("context #%d: %w", i+1, err)
		}
		if seen[c.Name] {
			return fmt.Errorf("context %q is defined more than once", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// ValidateContextName rejects names that cannot be used on a command line.
func ValidateContextName(name string) error {
	if strings.TrimSpace(name) == "" {
		return &ValidationError{Field: "name", Msg: "context name must not be empty"}
	}
	if strings.TrimSpace(name) != name {
		return &ValidationError{Field: "name", Msg: fmt.Sprintf("context name %q has leading or trailing spaces", name)}
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return &ValidationError{Field: "name", Msg: fmt.Sprintf("context name %q contains a control character", name)}
		}
	}
	return nil
}

// Save writes the file to path atomically with mode 0600, creating the
// directory (mode 0700) when needed.
func (f *File) Save(path string) (err error) {
	if path == "" {
		return errors.New("no config file path: set --config or REPLAYCTL_CONFIG, or HOME")
	}
	if err := f.check(); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode config: %w", err)
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, defaultDirMode); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(defaultFileMode); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	return nil
}

// Context returns the named context. The pointer refers into f, so changes
// made through it are saved by f.Save.
func (f *File) Context(name string) (*Context, bool) {
	for i := range f.Contexts {
		if f.Contexts[i].Name == name {
			return &f.Contexts[i], true
		}
	}
	return nil, false
}

// ContextNames returns the names of all contexts in file order.
func (f *File) ContextNames() []string {
	names := make([]string, 0, len(f.Contexts))
	for _, c := range f.Contexts {
		names = append(names, c.Name)
	}
	return names
}

// SetContext inserts c, or replaces the context of the same name in place.
func (f *File) SetContext(c Context) {
	if existing, ok := f.Context(c.Name); ok {
		*existing = c
		return
	}
	f.Contexts = append(f.Contexts, c)
}

// DeleteContext removes the named context and reports whether it existed.
// When current-context pointed at it, current-context is cleared.
func (f *File) DeleteContext(name string) bool {
	for i := range f.Contexts {
		if f.Contexts[i].Name == name {
			f.Contexts = append(f.Contexts[:i], f.Contexts[i+1:]...)
			if f.CurrentContext == name {
				f.CurrentContext = ""
			}
			return true
		}
	}
	return false
}

// Clone returns a deep copy of c.
func (c Context) Clone() Context {
	out := c
	if c.KafkaBrokers != nil {
		out.KafkaBrokers = append([]string(nil), c.KafkaBrokers...)
	}
	if c.TLS != nil {
		t := *c.TLS
		out.TLS = &t
	}
	if c.SASL != nil {
		s := *c.SASL
		out.SASL = &s
	}
	out.Worker = c.Worker.Clone()
	return out
}

// Validate checks a context the way set-context must before writing it:
// a MongoDB URI scheme, non-empty broker entries, a known SASL mechanism
// with a username, and TLS client certificate and key given together.
// Errors are *ValidationError.
func (c *Context) Validate() error {
	if err := ValidateContextName(c.Name); err != nil {
		return err
	}
	if c.MongoURI != "" {
		if err := ValidateMongoURI(c.MongoURI); err != nil {
			return err
		}
	}
	for _, b := range c.KafkaBrokers {
		if strings.TrimSpace(b) == "" {
			return &ValidationError{Field: "kafka-brokers", Msg: "empty broker address in list"}
		}
	}
	if err := validateTLS(c.TLS); err != nil {
		return err
	}
	return validateSASL(c.SASL)
}

func validateTLS(t *TLS) error {
	if t == nil {
		return nil
	}
	if t.CertFile != "" && t.KeyFile == "" {
		return &ValidationError{Field: "tls", Msg: "a client certificate (cert-file) needs its key (key-file)"}
	}
	if t.KeyFile != "" && t.CertFile == "" {
		return &ValidationError{Field: "tls", Msg: "a client key (key-file) needs its certificate (cert-file)"}
	}
	return nil
}

func validateSASL(s *SASL) error {
	if s == nil || (*s == SASL{}) {
		return nil
	}
	if s.Mechanism == "" {
		return &ValidationError{Field: "sasl", Msg: "mechanism is required (one of " + strings.Join(Mechanisms, ", ") + ")"}
	}
	if _, err := ParseMechanism(s.Mechanism); err != nil {
		return err
	}
	if s.Username == "" {
		return &ValidationError{Field: "sasl", Msg: "username is required with mechanism " + s.Mechanism}
	}
	return nil
}

// ParseMechanism returns the canonical spelling of a SASL mechanism given in
// any case, or a *ValidationError.
func ParseMechanism(s string) (string, error) {
	up := strings.ToUpper(strings.TrimSpace(s))
	for _, m := range Mechanisms {
		if up == m {
			return m, nil
		}
	}
	return "", &ValidationError{Field: "sasl-mechanism", Msg: fmt.Sprintf("unknown mechanism %q (want one of %s)", s, strings.Join(Mechanisms, ", "))}
}

// ValidateMongoURI checks that uri is a mongodb:// or mongodb+srv:// URI.
// The error never contains the URI's password.
func ValidateMongoURI(uri string) error {
	if strings.HasPrefix(uri, "mongodb://") || strings.HasPrefix(uri, "mongodb+srv://") {
		if len(strings.TrimPrefix(strings.TrimPrefix(uri, "mongodb+srv://"), "mongodb://")) == 0 {
			return &ValidationError{Field: "mongo-uri", Msg: "no host in URI"}
		}
		return nil
	}
	return &ValidationError{Field: "mongo-uri", Msg: fmt.Sprintf("%q must start with mongodb:// or mongodb+srv://", RedactURI(uri))}
}

// ParseBrokers splits a comma-separated broker list. Spaces around entries
// are trimmed; an empty entry (or an empty list) is a *ValidationError.
func ParseBrokers(s string) ([]string, error) {
	parts := strings.Split(s, ",")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, &ValidationError{Field: "kafka-brokers", Msg: fmt.Sprintf("empty broker address in %q", s)}
		}
		out = append(out, p)
	}
	return out, nil
}
