package config

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// workerFile is a config file whose current context sets every worker value.
func workerFile() *File {
	return &File{CurrentContext: "ctx", Contexts: []Context{{
		Name: "ctx", DLQTopic: "ctx_dlq",
		Worker: &WorkerSettings{
			Concurrency: ptr(3), PollInterval: "3s", LeaseTTL: "30s", DLQTopic: "ctx_worker_dlq",
			Group: "ctx-group", HTTPAddr: ptr("127.0.0.1:9000"), LogLevel: "warn", ShutdownTimeout: "45s",
		},
	}}}
}

// resolveWorker resolves settings then worker settings the way the command does.
func resolveWorker(t *testing.T, file *File, flags Overrides, env map[string]string) (*WorkerConfig, error) {
	t.Helper()
	vars := writeConfig(t, file)
	maps.Copy(vars, env)
	getenv := func(k string) string { return vars[k] }
	s, _, err := Resolve(Overrides{}, getenv)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return ResolveWorker(s, flags, getenv)
}

func TestResolveWorkerPrecedence(t *testing.T) {
	type level struct {
		name  string
		flags Overrides
		env   map[string]string
		file  *File
		want  any
	}
	tests := []struct {
		setting string
		get     func(*WorkerConfig) any
		levels  []level
	}{
		{"concurrency", func(w *WorkerConfig) any { return w.Concurrency }, []level{
			{"flag", Overrides{"concurrency": "5"}, map[string]string{EnvWorkerConcurrency: "4"}, workerFile(), 5},
			{"env", nil, map[string]string{EnvWorkerConcurrency: "4"}, workerFile(), 4},
			{"context", nil, nil, workerFile(), 3},
			{"default", nil, nil, nil, DefaultWorkerConcurrency},
		}},
		{"poll-interval", func(w *WorkerConfig) any { return w.PollInterval }, []level{
			{"flag", Overrides{"poll-interval": "500ms"}, map[string]string{EnvWorkerPollInterval: "4s"}, workerFile(), 500 * time.Millisecond},
			{"env plain seconds", nil, map[string]string{EnvWorkerPollInterval: "4"}, workerFile(), 4 * time.Second},
			{"context", nil, nil, workerFile(), 3 * time.Second},
			{"default", nil, nil, nil, DefaultWorkerPollInterval},
		}},
		{"lease-ttl", func(w *WorkerConfig) any { return w.LeaseTTL }, []level{
			{"flag", Overrides{"lease-ttl": "20s"}, map[string]string{EnvWorkerLeaseTTL: "25s"}, workerFile(), 20 * time.Second},
			{"env", nil, map[string]string{EnvWorkerLeaseTTL: "25s"}, workerFile(), 25 * time.Second},
			{"context", nil, nil, workerFile(), 30 * time.Second},
			{"default", nil, nil, nil, DefaultWorkerLeaseTTL},
		}},
		{"shutdown-timeout", func(w *WorkerConfig) any { return w.ShutdownTimeout }, []level{
			{"flag", Overrides{"shutdown-timeout": "1m"}, map[string]string{EnvWorkerShutdownTimeout: "50s"}, workerFile(), time.Minute},
			{"env", nil, map[string]string{EnvWorkerShutdownTimeout: "50s"}, workerFile(), 50 * time.Second},
			{"context", nil, nil, workerFile(), 45 * time.Second},
			{"default", nil, nil, nil, DefaultWorkerShutdownTimeout},
		}},
		{"dlq-topic", func(w *WorkerConfig) any { return w.DLQTopic }, []level{
			{"flag", Overrides{"dlq-topic": "flag_dlq"}, map[string]string{EnvDLQTopic: "env_dlq"}, workerFile(), "flag_dlq"},
			{"env", nil, map[string]string{EnvDLQTopic: "env_dlq"}, workerFile(), "env_dlq"},
			{"context worker section", nil, nil, workerFile(), "ctx_worker_dlq"},
			{"context dlq-topic", nil, nil, &File{CurrentContext: "c", Contexts: []Context{{Name: "c", DLQTopic: "ctx_dlq"}}}, "ctx_dlq"},
			{"default", nil, nil, nil, DefaultDLQTopic},
		}},
		{"group", func(w *WorkerConfig) any { return w.Group }, []level{
			{"flag", Overrides{"group": "flag-group"}, map[string]string{EnvWorkerGroup: "env-group"}, workerFile(), "flag-group"},
			{"env", nil, map[string]string{EnvWorkerGroup: "env-group"}, workerFile(), "env-group"},
			{"context", nil, nil, workerFile(), "ctx-group"},
			{"default", nil, nil, nil, DefaultWorkerGroup},
		}},
		{"http-addr", func(w *WorkerConfig) any { return w.HTTPAddr }, []level{
			{"flag", Overrides{"http-addr": ":9100"}, map[string]string{EnvWorkerHTTPAddr: ":9200"}, workerFile(), ":9100"},
			{"empty flag disables", Overrides{"http-addr": ""}, map[string]string{EnvWorkerHTTPAddr: ":9200"}, workerFile(), ""},
			{"env", nil, map[string]string{EnvWorkerHTTPAddr: ":9200"}, workerFile(), ":9200"},
			{"env off disables", nil, map[string]string{EnvWorkerHTTPAddr: "off"}, workerFile(), ""},
			{"context", nil, nil, workerFile(), "127.0.0.1:9000"},
			{"context empty disables", nil, nil, &File{CurrentContext: "c", Contexts: []Context{{Name: "c", Worker: &WorkerSettings{HTTPAddr: ptr("")}}}}, ""},
			{"default", nil, nil, nil, DefaultWorkerHTTPAddr},
		}},
		{"log-level", func(w *WorkerConfig) any { return w.LogLevel }, []level{
			{"flag", Overrides{"log-level": "DEBUG"}, map[string]string{EnvLogLevel: "error"}, workerFile(), "debug"},
			{"env", nil, map[string]string{EnvLogLevel: "error"}, workerFile(), "error"},
			{"context", nil, nil, workerFile(), "warn"},
			{"default", nil, nil, nil, "info"},
		}},
	}
	for _, tt := range tests {
		for _, l := range tt.levels {
			t.Run(tt.setting+"/"+l.name, func(t *testing.T) {
				w, err := resolveWorker(t, l.file, l.flags, l.env)
				if err != nil {
					t.Fatalf("ResolveWorker: %v", err)
				}
				if got := tt.get(w); got != l.want {
					t.Fatalf("%s = %v, want %v", tt.setting, got, l.want)
				}
			})
		}
	}
}

func TestResolveWorkerRejectsBadValues(t *testing.T) {
	tests := []struct {
		name  string
		flags Overrides
		env   map[string]string
		file  *File
		want  []string // substrings of the error
	}{
		{"zero concurrency", Overrides{"concurrency": "0"}, nil, nil, []string{"concurrency", "between 1 and 1000", "--concurrency"}},
		{"word concurrency", nil, map[string]string{EnvWorkerConcurrency: "two"}, nil, []string{`"two"`, EnvWorkerConcurrency}},
		{"negative context concurrency", nil, nil, &File{CurrentContext: "c", Contexts: []Context{{Name: "c", Worker: &WorkerSettings{Concurrency: ptr(-1)}}}}, []string{"concurrency", `context "c" worker.concurrency`}},
		{"bad poll interval", Overrides{"poll-interval": "soon"}, nil, nil, []string{"poll-interval", `"soon"`}},
		{"zero poll interval", nil, map[string]string{EnvWorkerPollInterval: "0s"}, nil, []string{"poll-interval", "greater than zero"}},
		{"tiny lease", Overrides{"lease-ttl": "100ms"}, nil, nil, []string{"lease-ttl", "at least 1s"}},
		{"bad shutdown timeout in context", nil, nil, &File{CurrentContext: "c", Contexts: []Context{{Name: "c", Worker: &WorkerSettings{ShutdownTimeout: "-5s"}}}}, []string{"shutdown-timeout", "context"}},
		{"empty group flag", Overrides{"group": " "}, nil, nil, []string{"group", "must not be empty"}},
		{"empty dlq topic flag", Overrides{"dlq-topic": ""}, nil, nil, []string{"dlq-topic", "must not be empty"}},
		{"spaces in topic", Overrides{"dlq-topic": "my dlq"}, nil, nil, []string{"dlq-topic", "spaces"}},
		{"no port", Overrides{"http-addr": "localhost"}, nil, nil, []string{"http-addr", `"localhost"`}},
		{"bad port", nil, map[string]string{EnvWorkerHTTPAddr: "127.0.0.1:http"}, nil, []string{"http-addr", "invalid port"}},
		{"port too big", Overrides{"http-addr": ":70000"}, nil, nil, []string{"http-addr", "0 to 65535"}},
		{"unknown level", nil, map[string]string{EnvLogLevel: "trace"}, nil, []string{"log-level", `"trace"`, EnvLogLevel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveWorker(t, tt.file, tt.flags, tt.env)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a *ValidationError, got %v", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestWorkerSectionLoadsFromYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	yaml := `current-context: prod
contexts:
  - name: prod
    worker:
      concurrency: 4
      poll-interval: 5s
      lease-ttl: 20s
      dlq-topic: dlq
      group: g1
      http-addr: ""
      log-level: debug
      shutdown-timeout: 1m
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return map[string]string{EnvConfig: path}[k] }
	s, _, err := Resolve(nil, getenv)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ResolveWorker(s, nil, getenv)
	if err != nil {
		t.Fatal(err)
	}
	want := WorkerConfig{Concurrency: 4, PollInterval: 5 * time.Second, LeaseTTL: 20 * time.Second,
		ShutdownTimeout: time.Minute, DLQTopic: "dlq", Group: "g1", HTTPAddr: "", LogLevel: "debug", Jobs: true}
	if *w != want {
		t.Fatalf("got %+v\nwant %+v", *w, want)
	}
}

func TestWorkerSectionUnknownKeyIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("contexts:\n  - name: a\n    worker:\n      concurency: 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "concurency") {
		t.Fatalf("want an error naming the unknown key, got %v", err)
	}
}

func TestWorkerSectionSurvivesSaveAndClone(t *testing.T) {
	f := workerFile()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := back.Context("ctx")
	if c.Worker == nil || *c.Worker.Concurrency != 3 || *c.Worker.HTTPAddr != "127.0.0.1:9000" || c.Worker.LeaseTTL != "30s" {
		t.Fatalf("worker section not round-tripped: %+v", c.Worker)
	}
	clone := c.Clone()
	*clone.Worker.Concurrency = 9
	*clone.Worker.HTTPAddr = "x"
	if *c.Worker.Concurrency != 3 || *c.Worker.HTTPAddr != "127.0.0.1:9000" {
		t.Fatal("Clone shares the worker section with the original")
	}
}

// --jobs comes from the flag, else REPLAYCTL_WORKER_JOBS, else the
// context's worker.jobs, else on.
func TestJobsSwitchFlagBeatsEnvironmentBeatsContext(t *testing.T) {
	off, on := false, true
	cases := []struct {
		name  string
		ctx   *bool
		env   string
		flags Overrides
		want  bool
	}{
		{"default on", nil, "", nil, true},
		{"context off", &off, "", nil, false},
		{"environment beats context", &off, "true", nil, true},
		{"flag beats environment", &on, "false", Overrides{FlagJobs: "true"}, true},
		{"flag off", nil, "", Overrides{FlagJobs: "false"}, false},
	}
	for _, c := range cases {
		s := &Settings{Worker: &WorkerSettings{Jobs: c.ctx}}
		getenv := func(k string) string { return map[string]string{EnvWorkerJobs: c.env}[k] }
		w, err := ResolveWorker(s, c.flags, getenv)
		if err != nil || w.Jobs != c.want {
			t.Errorf("%s: jobs = %v, %v; want %v", c.name, w != nil && w.Jobs, err, c.want)
		}
	}
}
