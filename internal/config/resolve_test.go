package config

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeConfig saves f under a temporary XDG_CONFIG_HOME and returns the
// environment that points at it.
func writeConfig(t *testing.T, f *File) map[string]string {
	t.Helper()
	xdg := t.TempDir()
	if f != nil {
		if err := f.Save(filepath.Join(xdg, "replayctl", "config.yaml")); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{"XDG_CONFIG_HOME": xdg}
}

// resolveWith resolves over with f as the config file (nil: none) and vars
// set in the environment besides the variable pointing at f.
func resolveWith(t *testing.T, f *File, over Overrides, vars map[string]string) (*Settings, error) {
	t.Helper()
	e := writeConfig(t, f)
	maps.Copy(e, vars)
	s, _, err := Resolve(over, env(e))
	return s, err
}

func precedenceFile() *File {
	return &File{
		CurrentContext: "ctx",
		Contexts: []Context{{
			Name:         "ctx",
			MongoURI:     "mongodb://ctx:27017",
			Database:     "ctx_db",
			KafkaBrokers: []string{"ctx:9092"},
			TopicPrefix:  "ctx_",
		}},
	}
}

func TestResolvePrecedence(t *testing.T) {
	type level struct {
		name string
		over Overrides
		env  map[string]string
		ctx  bool // use the context file
		want any
	}
	tests := []struct {
		setting string
		get     func(*Settings) any
		levels  []level
	}{
		{"mongo-uri", func(s *Settings) any { return s.MongoURI }, []level{
			{"flag", Overrides{"mongo-uri": "mongodb://flag"}, map[string]string{EnvMongoURI: "mongodb://env"}, true, "mongodb://flag"},
			{"empty flag is not given", Overrides{"mongo-uri": ""}, nil, true, "mongodb://ctx:27017"},
			{"env", nil, map[string]string{EnvMongoURI: "mongodb://env"}, true, "mongodb://env"},
			{"context", nil, nil, true, "mongodb://ctx:27017"},
			{"default", nil, nil, false, DefaultMongoURI},
		}},
		{"database", func(s *Settings) any { return s.Database }, []level{
			{"flag", Overrides{"database": "flag_db"}, map[string]string{EnvDatabase: "env_db"}, true, "flag_db"},
			{"empty flag is not given", Overrides{"database": ""}, map[string]string{EnvDatabase: "env_db"}, true, "env_db"},
			{"env", nil, map[string]string{EnvDatabase: "env_db"}, true, "env_db"},
			{"context", nil, nil, true, "ctx_db"},
			{"default", nil, nil, false, "integr8scode_db"},
		}},
		{"kafka-brokers", func(s *Settings) any { return s.KafkaBrokers }, []level{
			{"flag", Overrides{"kafka-brokers": "f1:9092,f2:9092"}, map[string]string{EnvKafkaBrokers: "e:9092"}, true, []string{"f1:9092", "f2:9092"}},
			{"empty flag is not given", Overrides{"kafka-brokers": ""}, nil, true, []string{"ctx:9092"}},
			{"env", nil, map[string]string{EnvKafkaBrokers: "e1:9092, e2:9092"}, true, []string{"e1:9092", "e2:9092"}},
			{"context", nil, nil, true, []string{"ctx:9092"}},
			{"default", nil, nil, false, []string{"127.0.0.1:9092"}},
		}},
		{"topic-prefix", func(s *Settings) any { return s.TopicPrefix }, []level{
			{"flag", Overrides{"topic-prefix": "flag_"}, map[string]string{EnvTopicPrefix: "env_"}, true, "flag_"},
			{"flag empty clears", Overrides{"topic-prefix": ""}, map[string]string{EnvTopicPrefix: "env_"}, true, ""},
			{"flag empty clears context", Overrides{"topic-prefix": ""}, nil, true, ""},
			{"env", nil, map[string]string{EnvTopicPrefix: "env_"}, true, "env_"},
			{"context", nil, nil, true, "ctx_"},
			{"default", nil, nil, false, ""},
		}},
		{"timeout", func(s *Settings) any { return s.Timeout }, []level{
			{"flag", Overrides{"timeout": "3s"}, map[string]string{EnvTimeout: "4s"}, true, 3 * time.Second},
			{"env", nil, map[string]string{EnvTimeout: "4m"}, true, 4 * time.Minute},
			{"env seconds", nil, map[string]string{EnvTimeout: "45"}, true, 45 * time.Second},
			{"default", nil, nil, true, 10 * time.Second},
		}},
		{"output", func(s *Settings) any { return s.Output }, []level{
			{"flag", Overrides{"output": "json"}, map[string]string{EnvOutput: "yaml"}, true, "json"},
			{"env", nil, map[string]string{EnvOutput: "YAML"}, true, "yaml"},
			{"default", nil, nil, true, "table"},
		}},
		{"no-color", func(s *Settings) any { return s.NoColor }, []level{
			{"flag", Overrides{"no-color": "true"}, nil, true, true},
			{"flag false beats env", Overrides{"no-color": "false"}, map[string]string{"NO_COLOR": "1"}, true, false},
			{"NO_COLOR", nil, map[string]string{"NO_COLOR": "1"}, true, true},
			{"REPLAYCTL_NO_COLOR", nil, map[string]string{EnvNoColor: "true"}, true, true},
			{"REPLAYCTL_NO_COLOR false", nil, map[string]string{EnvNoColor: "false"}, true, false},
			{"default", nil, nil, true, false},
		}},
		{"context", func(s *Settings) any { return s.ContextName }, []level{
			{"flag", Overrides{"context": "other"}, map[string]string{EnvContext: "ctx"}, true, "other"},
			{"env", nil, map[string]string{EnvContext: "other"}, true, "other"},
			{"current-context", nil, nil, true, "ctx"},
			{"none", nil, nil, false, ""},
		}},
	}
	for _, tt := range tests {
		for _, lv := range tt.levels {
			t.Run(tt.setting+"/"+lv.name, func(t *testing.T) {
				var f *File
				if lv.ctx {
					f = precedenceFile()
					f.SetContext(Context{Name: "other"})
				}
				s, err := resolveWith(t, f, lv.over, lv.env)
				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				if got := tt.get(s); !reflect.DeepEqual(got, lv.want) {
					t.Errorf("%s = %v, want %v", tt.setting, got, lv.want)
				}
			})
		}
	}
}

func TestResolveConfigPath(t *testing.T) {
	dir := t.TempDir()
	flagPath := filepath.Join(dir, "flag.yaml")
	envPath := filepath.Join(dir, "env.yaml")
	for _, p := range []struct{ path, db string }{{flagPath, "flag_db"}, {envPath, "env_db"}} {
		f := &File{CurrentContext: "c", Contexts: []Context{{Name: "c", Database: p.db}}}
		if err := f.Save(p.path); err != nil {
			t.Fatal(err)
		}
	}
	xdg := writeConfig(t, &File{CurrentContext: "c", Contexts: []Context{{Name: "c", Database: "xdg_db"}}})

	tests := []struct {
		name     string
		over     Overrides
		env      map[string]string
		wantPath string
		wantDB   string
	}{
		{"flag", Overrides{"config": flagPath}, map[string]string{EnvConfig: envPath}, flagPath, "flag_db"},
		{"env", nil, map[string]string{EnvConfig: envPath}, envPath, "env_db"},
		{"default", nil, nil, filepath.Join(xdg["XDG_CONFIG_HOME"], "replayctl", "config.yaml"), "xdg_db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := map[string]string{"XDG_CONFIG_HOME": xdg["XDG_CONFIG_HOME"]}
			for k, v := range tt.env {
				e[k] = v
			}
			s, f, err := Resolve(tt.over, env(e))
			if err != nil {
				t.Fatal(err)
			}
			if s.ConfigPath != tt.wantPath || s.Database != tt.wantDB {
				t.Errorf("path, db = %q, %q; want %q, %q", s.ConfigPath, s.Database, tt.wantPath, tt.wantDB)
			}
			if f == nil || len(f.Contexts) != 1 {
				t.Errorf("file = %+v", f)
			}
		})
	}
}

func TestResolveContextValues(t *testing.T) {
	f := &File{CurrentContext: "full", Contexts: []Context{{
		Name:        "full",
		TopicPrefix: "p_",
		DLQTopic:    "my_dlq",
		Collections: Collections{Sessions: "sess"},
		TLS:         &TLS{Enabled: true, ServerName: "k"},
		SASL:        &SASL{Mechanism: "scram-sha-256", Username: "u", Password: "pw"},
	}}}
	s, _, err := Resolve(nil, env(writeConfig(t, f)))
	if err != nil {
		t.Fatal(err)
	}
	if s.DLQTopic != "my_dlq" || s.DLQTopicName() != "p_my_dlq" || s.Topic("execution_requested") != "p_execution_requested" {
		t.Errorf("topics: dlq %q, dlq name %q, topic %q", s.DLQTopic, s.DLQTopicName(), s.Topic("execution_requested"))
	}
	if want := (Collections{Events: "events", Sessions: "sess", DLQ: "dlq_messages"}); s.Collections != want {
		t.Errorf("collections = %+v, want %+v", s.Collections, want)
	}
	if s.TLS == nil || s.TLS.ServerName != "k" || s.SASL == nil || s.SASL.Mechanism != MechanismScramSHA256 {
		t.Errorf("tls %+v sasl %+v", s.TLS, s.SASL)
	}

	// Defaults with no file at all.
	s, _, err = Resolve(nil, env(writeConfig(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if s.DLQTopic != "dead_letter_queue" || s.DLQTopicName() != "dead_letter_queue" || s.Collections != DefaultCollections() || s.TLS != nil || s.SASL != nil {
		t.Errorf("defaults: %+v", s)
	}
}

// Settings are a copy: changing them must not change the loaded file.
func TestResolveSettingsDoNotAliasFile(t *testing.T) {
	f := &File{CurrentContext: "a", Contexts: []Context{{Name: "a", KafkaBrokers: []string{"k:1"}, SASL: &SASL{Mechanism: "PLAIN", Username: "u"}}}}
	s, file, err := Resolve(nil, env(writeConfig(t, f)))
	if err != nil {
		t.Fatal(err)
	}
	s.KafkaBrokers[0] = "x"
	s.SASL.Username = "x"
	if file.Contexts[0].KafkaBrokers[0] != "k:1" || file.Contexts[0].SASL.Username != "u" {
		t.Error("Settings share memory with the File")
	}
}

func TestResolveContextNotFound(t *testing.T) {
	f := precedenceFile()
	f.SetContext(Context{Name: "other"})
	tests := []struct {
		name string
		over Overrides
		env  map[string]string
		file *File
	}{
		{"flag", Overrides{"context": "nope"}, nil, f},
		{"env", nil, map[string]string{EnvContext: "nope"}, f},
		{"current-context", nil, nil, &File{CurrentContext: "nope", Contexts: f.Contexts}},
		{"no file", Overrides{"context": "nope"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveWith(t, tt.file, tt.over, tt.env)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T), want *ValidationError", err, err)
			}
			var nf *ContextNotFoundError
			if !errors.As(err, &nf) || nf.Name != "nope" {
				t.Fatalf("error %v does not wrap *ContextNotFoundError for nope", err)
			}
			if !strings.Contains(err.Error(), `"nope"`) {
				t.Errorf("error %q does not name the context", err)
			}
			if tt.file != nil && !strings.Contains(err.Error(), "ctx, other") {
				t.Errorf("error %q does not list the available contexts", err)
			}
		})
	}
}

func TestResolveValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		over Overrides
		env  map[string]string
		ctx  *Context
		want string
	}{
		{"bad timeout", Overrides{"timeout": "soon"}, nil, nil, "timeout"},
		{"zero timeout", Overrides{"timeout": "0s"}, nil, nil, "greater than zero"},
		{"negative timeout env", nil, map[string]string{EnvTimeout: "-5s"}, nil, EnvTimeout},
		{"bad output", Overrides{"output": "xml"}, nil, nil, "xml"},
		{"bad output env", nil, map[string]string{EnvOutput: "wide"}, nil, EnvOutput},
		{"empty broker flag", Overrides{"kafka-brokers": "a:1,,b:2"}, nil, nil, "--kafka-brokers"},
		{"empty broker env", nil, map[string]string{EnvKafkaBrokers: "a:1,"}, nil, EnvKafkaBrokers},
		{"empty broker context", nil, nil, &Context{KafkaBrokers: []string{"a", " "}}, `context "c"`},
		{"bad mongo uri", Overrides{"mongo-uri": "postgres://u:topsecret@h"}, nil, nil, "mongodb://"},
		{"bad mechanism", nil, nil, &Context{SASL: &SASL{Mechanism: "GSSAPI", Username: "u", Password: "topsecret"}}, "GSSAPI"},
		{"tls cert without key", nil, nil, &Context{TLS: &TLS{Enabled: true, CertFile: "c.pem"}}, "key-file"},
		{"bad no-color", Overrides{"no-color": "maybe"}, nil, nil, "no-color"},
		{"bad REPLAYCTL_NO_COLOR", nil, map[string]string{EnvNoColor: "sometimes"}, nil, EnvNoColor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *File
			if tt.ctx != nil {
				c := *tt.ctx
				c.Name = "c"
				f = &File{CurrentContext: "c", Contexts: []Context{c}}
			}
			_, err := resolveWith(t, f, tt.over, tt.env)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T), want *ValidationError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "topsecret") {
				t.Errorf("error %q leaks a password", err)
			}
		})
	}
}

func TestResolveBadFileIsNotValidationError(t *testing.T) {
	xdg := t.TempDir()
	path := filepath.Join(xdg, "replayctl", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("contexts: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := Resolve(nil, env(map[string]string{"XDG_CONFIG_HOME": xdg}))
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v does not name %s", err, path)
	}
}

func TestResolveWithoutHome(t *testing.T) {
	s, f, err := Resolve(Overrides{"database": "d"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.ConfigPath != "" || len(f.Contexts) != 0 || s.Database != "d" {
		t.Errorf("settings %+v file %+v", s, f)
	}
	// A nil getenv is treated as an empty environment.
	if _, _, err := Resolve(nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestParseTimeout(t *testing.T) {
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "1m30s": 90 * time.Second, "5": 5 * time.Second, " 2m ": 2 * time.Minute} {
		got, err := ParseTimeout(in)
		if err != nil || got != want {
			t.Errorf("ParseTimeout(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1s", "NaN", "Inf", "1.5", "ten"} {
		if _, err := ParseTimeout(bad); err == nil {
			t.Errorf("ParseTimeout(%q) succeeded", bad)
		}
	}
}

// configAt saves f to a temporary file and returns its path, environment
// variables naming it with REPLAYCTL_CONFIG, and a getenv reading them.
func configAt(t *testing.T, f *File) (string, map[string]string, func(string) string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{EnvConfig: path}
	return path, vars, env(vars)
}

func TestResolveDLQTopicFromEnvironmentBeatsContext(t *testing.T) {
	_, vars, getenv := configAt(t, &File{CurrentContext: "a", Contexts: []Context{{Name: "a", DLQTopic: "ctx_dlq"}}})
	s, _, err := Resolve(nil, getenv)
	if err != nil || s.DLQTopic != "ctx_dlq" {
		t.Fatalf("context value: %q, %v", s.DLQTopic, err)
	}
	vars[EnvDLQTopic] = "env_dlq"
	s, _, err = Resolve(nil, getenv)
	if err != nil || s.DLQTopic != "env_dlq" {
		t.Fatalf("env value: %q, %v", s.DLQTopic, err)
	}
}

func TestResolveEnvironment(t *testing.T) {
	path, vars, getenv := configAt(t, &File{CurrentContext: "a", Contexts: []Context{{Name: "a", Environment: "staging"}}})
	if s, _, err := Resolve(nil, getenv); err != nil || s.Environment != "staging" {
		t.Fatalf("context value: %v %v", s, err)
	}
	vars[EnvEnvironment] = "test"
	if s, _, err := Resolve(nil, getenv); err != nil || s.Environment != "test" {
		t.Fatalf("env value: %v %v", s, err)
	}
	vars[EnvEnvironment] = "prod"
	_, _, err := Resolve(nil, getenv)
	var v *ValidationError
	if !errors.As(err, &v) || !strings.Contains(err.Error(), "production") {
		t.Fatalf("want a validation error listing valid values, got %v", err)
	}
	delete(vars, EnvEnvironment)
	if err := (&File{Contexts: []Context{{Name: "b"}}}).Save(path); err != nil {
		t.Fatal(err)
	}
	if s, _, err := Resolve(Overrides{"context": "b"}, getenv); err != nil || s.Environment != DefaultEnvironment {
		t.Fatalf("default: %v %v", s, err)
	}
}
