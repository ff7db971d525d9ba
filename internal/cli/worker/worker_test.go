package workercmd

import (
	"context"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

const contextYAML = `current-context: prod
contexts:
  - name: prod
    dlq-topic: ctx_dlq
    worker:
      concurrency: 3
      poll-interval: 3s
      lease-ttl: 30s
      group: ctx-group
      http-addr: 127.0.0.1:9000
      log-level: warn
      shutdown-timeout: 45s
`

func TestDefaults(t *testing.T) {
	o, err := parse(t, flagEnv(t, "", nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config.WorkerConfig{
		Concurrency: 2, PollInterval: 2 * time.Second, LeaseTTL: 30 * time.Second, ShutdownTimeout: 30 * time.Second,
		DLQTopic: "dead_letter_queue", Group: "replayctl-dlq", HTTPAddr: "127.0.0.1:9464", LogLevel: "info", Jobs: true,
	}
	if *o.Config != want || !o.Replay || !o.DLQ {
		t.Fatalf("got %+v replay=%v dlq=%v\nwant %+v", *o.Config, o.Replay, o.DLQ, want)
	}
}

func TestFlagsBeatEnvironmentBeatsContext(t *testing.T) {
	env := map[string]string{
		config.EnvWorkerConcurrency: "4", config.EnvWorkerPollInterval: "4s", config.EnvWorkerGroup: "env-group",
		config.EnvLogLevel: "error",
	}
	f := flagEnv(t, contextYAML, env)
	o, err := parse(t, f, "--concurrency", "5", "--log-level", "debug", "--http-addr", "")
	if err != nil {
		t.Fatal(err)
	}
	want := config.WorkerConfig{
		Concurrency: 5, PollInterval: 4 * time.Second, LeaseTTL: 30 * time.Second, ShutdownTimeout: 45 * time.Second,
		DLQTopic: "ctx_dlq", Group: "env-group", HTTPAddr: "", LogLevel: "debug", Jobs: true,
	}
	if *o.Config != want {
		t.Fatalf("got  %+v\nwant %+v", *o.Config, want)
	}
}

func TestOneHalfCanBeTurnedOff(t *testing.T) {
	o, err := parse(t, flagEnv(t, "", nil), "--replay=false")
	if err != nil {
		t.Fatal(err)
	}
	if o.Replay || !o.DLQ {
		t.Fatalf("replay=%v dlq=%v", o.Replay, o.DLQ)
	}
}

func TestBadValuesAreUsageErrors(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		parts []string
	}{
		{"all off", nil, []string{"--replay=false", "--dlq=false", "--jobs=false"}, []string{"nothing to do"}},
		{"bad jobs in env", map[string]string{config.EnvWorkerJobs: "sometimes"}, nil, []string{"jobs", "sometimes", config.EnvWorkerJobs}},
		{"zero concurrency", nil, []string{"--concurrency", "0"}, []string{"concurrency", "between 1"}},
		{"word concurrency", nil, []string{"--concurrency", "many"}, []string{"many"}},
		{"bad poll interval", nil, []string{"--poll-interval", "often"}, []string{"poll-interval", "often"}},
		{"negative shutdown timeout", nil, []string{"--shutdown-timeout", "-1s"}, []string{"shutdown-timeout"}},
		{"short lease", nil, []string{"--lease-ttl", "10ms"}, []string{"lease-ttl", "at least 1s"}},
		{"bad address", nil, []string{"--http-addr", "9464"}, []string{"http-addr", "host:port"}},
		{"bad level in env", map[string]string{config.EnvLogLevel: "chatty"}, nil, []string{"log-level", "chatty", config.EnvLogLevel}},
		{"empty group", nil, []string{"--group", ""}, []string{"group", "empty"}},
		{"argument", nil, []string{"now"}, []string{`"now"`}},
		{"bad global setting", map[string]string{config.EnvTimeout: "soon"}, nil, []string{"timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran := false
			err := clitest.Execute(newCmdWorker(flagEnv(t, "", tt.env), func(context.Context, *WorkerOptions) error { ran = true; return nil }), tt.args...)
			clitest.WantCode(t, err, exitcode.Usage, tt.parts...)
			if ran {
				t.Fatal("the run started despite a bad value")
			}
		})
	}
}

func TestHelpDocumentsEverySetting(t *testing.T) {
	cmd := NewCmdWorker(flagEnv(t, "", nil))
	for _, name := range append([]string{"replay", "dlq"}, workerFlags...) {
		if cmd.Flags().Lookup(name) == nil {
			t.Errorf("flag --%s missing", name)
		}
	}
	if cmd.Short == "" || cmd.Long == "" || cmd.Example == "" {
		t.Fatal("Short, Long and Example are required")
	}
}
