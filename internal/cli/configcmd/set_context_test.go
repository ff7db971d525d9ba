package configcmd

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestSetContextCreate(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.run("config", "set-context", "prod",
		"--mongo-uri", "mongodb://u:pw@h1:27017,h2:27017/?replicaSet=rs0",
		"--database", "prod_db",
		"--kafka-brokers", "k1:9093, k2:9093",
		"--topic-prefix", "prod_",
		"--dlq-topic", "dlq",
		"--events-collection", "ev", "--sessions-collection", "rs", "--dlq-collection", "dm",
		"--tls-ca-file", "/ca.pem", "--tls-cert-file", "/c.pem", "--tls-key-file", "/k.pem",
		"--tls-server-name", "kafka", "--tls-insecure-skip-verify",
		"--sasl-mechanism", "scram-sha-256", "--sasl-username", "svc", "--sasl-password", "pw2",
	)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if !strings.HasPrefix(r.Stdout, "Context \"prod\" created.\n") {
		t.Errorf("out = %q", r.Stdout)
	}
	if !strings.Contains(r.Stderr, "--sasl-password-stdin") {
		t.Errorf("no warning about --sasl-password: %q", r.Stderr)
	}
	assertNoSecrets(t, r.Stdout, r.Stderr)
	want := config.Context{
		Name:         "prod",
		MongoURI:     "mongodb://u:pw@h1:27017,h2:27017/?replicaSet=rs0",
		Database:     "prod_db",
		KafkaBrokers: []string{"k1:9093", "k2:9093"},
		TopicPrefix:  "prod_",
		DLQTopic:     "dlq",
		Collections:  config.Collections{Events: "ev", Sessions: "rs", DLQ: "dm"},
		TLS:          &config.TLS{Enabled: true, CAFile: "/ca.pem", CertFile: "/c.pem", KeyFile: "/k.pem", ServerName: "kafka", InsecureSkipVerify: true},
		SASL:         &config.SASL{Mechanism: "SCRAM-SHA-256", Username: "svc", Password: "pw2"},
	}
	f := e.load()
	if got, _ := f.Context("prod"); got == nil || !reflect.DeepEqual(*got, want) {
		t.Errorf("context:\n got %+v\nwant %+v", got, want)
	}
	if f.CurrentContext != "" {
		t.Errorf("current-context = %q without --current", f.CurrentContext)
	}
	fi, err := os.Stat(e.path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v", fi.Mode(), err)
	}
}

func TestSetContextModifiesOnlyGivenFlags(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "set-context", "prod", "--database", "other_db", "--sasl-username", "bob")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Stdout != "Context \"prod\" modified.\n" {
		t.Errorf("out = %q", r.Stdout)
	}
	want := secretsFile().Contexts[1]
	want.Database = "other_db"
	want.SASL.Username = "bob"
	got, _ := e.load().Context("prod")
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("context:\n got %+v\nwant %+v", got, want)
	}
}

func TestSetContextClearsWithEmptyValues(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "set-context", "prod", "--topic-prefix", "", "--kafka-brokers", "",
		"--sasl-mechanism", "", "--sasl-username", "", "--sasl-password", "",
		"--tls=false", "--tls-ca-file", "")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	got, _ := e.load().Context("prod")
	if got.TopicPrefix != "" || got.KafkaBrokers != nil || got.SASL != nil || got.TLS != nil {
		t.Errorf("context = %+v (tls %+v, sasl %+v)", got, got.TLS, got.SASL)
	}
	if got.MongoURI != secretsFile().Contexts[1].MongoURI {
		t.Errorf("mongo-uri changed to %q", got.MongoURI)
	}
}

func TestSetContextTLSFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want *config.TLS
	}{
		{"tls alone", []string{"--tls"}, &config.TLS{Enabled: true}},
		{"ca file enables", []string{"--tls-ca-file", "/ca"}, &config.TLS{Enabled: true, CAFile: "/ca"}},
		{"explicit off wins", []string{"--tls=false", "--tls-ca-file", "/ca"}, &config.TLS{CAFile: "/ca"}},
		{"insecure enables", []string{"--tls-insecure-skip-verify"}, &config.TLS{Enabled: true, InsecureSkipVerify: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, nil)
			if r := e.run(append([]string{"config", "set-context", "c"}, tt.args...)...); r.Err != nil {
				t.Fatal(r.Err)
			}
			got, _ := e.load().Context("c")
			if !reflect.DeepEqual(got.TLS, tt.want) {
				t.Errorf("tls = %+v, want %+v", got.TLS, tt.want)
			}
		})
	}
}

func TestSetContextPasswordStdin(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.runStdin("p@ss w0rd\r\n", "config", "set-context", "c", "--sasl-mechanism", "PLAIN", "--sasl-username", "u", "--sasl-password-stdin")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if strings.Contains(r.Stdout+r.Stderr, "p@ss") || strings.Contains(r.Stderr, "Warning") {
		t.Errorf("out %q errOut %q", r.Stdout, r.Stderr)
	}
	got, _ := e.load().Context("c")
	if got.SASL == nil || got.SASL.Password != "p@ss w0rd" {
		t.Errorf("sasl = %+v", got.SASL)
	}

	r = e.runStdin("", "config", "set-context", "c", "--sasl-password-stdin")
	if r.Code != exitcode.Usage {
		t.Errorf("empty stdin: code %d, err %v", r.Code, r.Err)
	}
	r = e.runStdin("x\n", "config", "set-context", "c", "--sasl-password", "y", "--sasl-password-stdin")
	if r.Code != exitcode.Usage {
		t.Errorf("both password flags: code %d, err %v", r.Code, r.Err)
	}
	r = e.runStdin(strings.Repeat("x", maxPasswordBytes+1), "config", "set-context", "c", "--sasl-password-stdin")
	if r.Code != exitcode.Usage {
		t.Errorf("huge stdin: code %d, err %v", r.Code, r.Err)
	}
}

// Bad input is rejected with exit code 2 before anything is written.
func TestSetContextValidationWritesNothing(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad uri scheme", []string{"prod", "--mongo-uri", "postgres://u:topsecret@h/db"}, "mongodb://"},
		{"bad uri no scheme", []string{"prod", "--mongo-uri", "db1:27017"}, "mongodb+srv://"},
		{"empty broker entry", []string{"prod", "--kafka-brokers", "k1:9092,,k2:9092"}, "empty broker"},
		{"trailing comma", []string{"prod", "--kafka-brokers", "k1:9092,"}, "empty broker"},
		{"bad mechanism", []string{"prod", "--sasl-mechanism", "GSSAPI"}, "GSSAPI"},
		{"mechanism without username", []string{"new", "--sasl-mechanism", "PLAIN"}, "username"},
		{"username without mechanism", []string{"new", "--sasl-username", "u", "--sasl-password", "topsecret"}, "mechanism"},
		{"cert without key", []string{"new", "--tls-cert-file", "/c.pem"}, "key-file"},
		{"key without cert", []string{"prod", "--tls-key-file", "/k.pem"}, "cert-file"},
		{"removing key leaves cert", []string{"mtls", "--tls-key-file", ""}, "key-file"},
		{"blank name", []string{" "}, "name"},
		{"unknown flag", []string{"prod", "--mongo", "x"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := secretsFile()
			f.SetContext(config.Context{Name: "mtls", TLS: &config.TLS{Enabled: true, CertFile: "/c", KeyFile: "/k"}})
			e := newTestEnv(t, f)
			before := e.raw()
			r := e.run(append([]string{"config", "set-context"}, tt.args...)...)
			if r.Code != exitcode.Usage {
				t.Fatalf("code %d, err %v; want usage error", r.Code, r.Err)
			}
			if !strings.Contains(r.Err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", r.Err, tt.want)
			}
			if strings.Contains(r.Err.Error(), "topsecret") {
				t.Errorf("error %q leaks a password", r.Err)
			}
			if e.raw() != before {
				t.Error("file changed")
			}
			assertOnlyConfig(t, e)
		})
	}
	// Nothing is created either.
	e := newTestEnv(t, nil)
	if r := e.run("config", "set-context", "x", "--sasl-mechanism", "nope"); r.Code != exitcode.Usage {
		t.Fatalf("code %d", r.Code)
	}
	if _, err := os.Stat(e.path); !os.IsNotExist(err) {
		t.Errorf("file created on bad input: %v", err)
	}
}

func assertOnlyConfig(t *testing.T, e *testEnv) {
	t.Helper()
	entries, err := os.ReadDir(strings.TrimSuffix(e.path, "/config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("config directory holds %d entries, want only config.yaml", len(entries))
	}
}

func TestSetContextCurrent(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "set-context", "new", "--database", "d", "--current")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Stdout != "Context \"new\" created.\nSwitched to context \"new\".\n" {
		t.Errorf("out = %q", r.Stdout)
	}
	if got := e.load().CurrentContext; got != "new" {
		t.Errorf("current-context = %q", got)
	}

	// --current without NAME changes the current context.
	r = e.run("config", "set-context", "--current", "--topic-prefix", "p_")
	if r.Err != nil || r.Stdout != "Context \"new\" modified.\n" {
		t.Fatalf("out %q, err %v", r.Stdout, r.Err)
	}
	got, _ := e.load().Context("new")
	if got.TopicPrefix != "p_" || got.Database != "d" {
		t.Errorf("context = %+v", got)
	}

	// ... and fails when there is none.
	e = newTestEnv(t, nil)
	if r := e.run("config", "set-context", "--current", "--database", "d"); r.Code != exitcode.Usage {
		t.Errorf("no current context: code %d, err %v", r.Code, r.Err)
	}
}

func TestSetContextArgs(t *testing.T) {
	e := newTestEnv(t, nil)
	for _, args := range [][]string{{}, {"a", "b"}} {
		r := e.run(append([]string{"config", "set-context"}, args...)...)
		if r.Code != exitcode.Usage {
			t.Errorf("args %v: code %d, err %v", args, r.Code, r.Err)
		}
	}
}

// Flag parsing alone: only the flags given are marked as changed.
func TestNewCmdSetContextFlags(t *testing.T) {
	e := newTestEnv(t, nil)
	f := e.factory()
	var got *SetContextOptions
	cmd := NewCmdSetContext(f, clitest.Capture(&got))
	cmd.SetArgs([]string{"c", "--mongo-uri", "mongodb://h", "--topic-prefix", "", "--tls-insecure-skip-verify", "--current"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	wantChanged := map[string]bool{"mongo-uri": true, "topic-prefix": true, "tls-insecure-skip-verify": true, "current": true}
	if got.Name != "c" || got.MongoURI != "mongodb://h" || !got.TLSInsecureSkipVerify || !got.Current || !reflect.DeepEqual(got.Changed, wantChanged) {
		t.Errorf("options %+v", got)
	}
}

// Through a root command with the global --mongo-uri, --database,
// --kafka-brokers and --topic-prefix persistent flags, set-context's local
// flags of the same names set the context's values, wherever on the
// command line they appear, and leave the global flags unset.
func TestSetContextShadowsGlobalFlags(t *testing.T) {
	for _, args := range [][]string{
		{"config", "set-context", "c", "--mongo-uri", "mongodb://ctx", "--database", "ctx_db", "--kafka-brokers", "a:1,b:2", "--topic-prefix", "ctx_"},
		{"--mongo-uri", "mongodb://ctx", "--database", "ctx_db", "config", "--kafka-brokers", "a:1,b:2", "set-context", "--topic-prefix", "ctx_", "c"},
	} {
		e := newTestEnv(t, nil)
		f := e.factory()
		root := e.BuildRoot(f)
		root.SetArgs(args)
		cmd, err := root.ExecuteC()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if cmd.Name() != "set-context" {
			t.Fatalf("ran %q", cmd.Name())
		}
		got, ok := e.load().Context("c")
		if !ok || got.MongoURI != "mongodb://ctx" || got.Database != "ctx_db" || strings.Join(got.KafkaBrokers, ",") != "a:1,b:2" || got.TopicPrefix != "ctx_" {
			t.Errorf("%v: context %+v", args, got)
		}
		for _, name := range []string{"mongo-uri", "database", "kafka-brokers", "topic-prefix"} {
			if fl := root.PersistentFlags().Lookup(name); fl.Changed || fl.Value.String() != "" {
				t.Errorf("%v: global --%s was set to %q", args, name, fl.Value.String())
			}
			if cmd.LocalFlags().Lookup(name) == nil {
				t.Errorf("--%s is not a local flag of set-context", name)
			}
			if cmd.InheritedFlags().Lookup(name) != nil {
				t.Errorf("--%s is listed among set-context's global flags", name)
			}
		}
		// The other global flags still reach set-context.
		if cmd.InheritedFlags().Lookup("config") == nil || cmd.InheritedFlags().Lookup("output") == nil {
			t.Error("set-context lost the global --config/--output flags")
		}
	}
}

// --config selects the file set-context writes.
func TestSetContextConfigFlag(t *testing.T) {
	e := newTestEnv(t, nil)
	other := strings.TrimSuffix(e.path, "config.yaml") + "other.yaml"
	if r := e.run("--config", other, "config", "set-context", "c", "--database", "x"); r.Err != nil {
		t.Fatal(r.Err)
	}
	f, err := config.Load(other)
	if err != nil || len(f.Contexts) != 1 {
		t.Fatalf("%v: %+v", err, f)
	}
	if _, err := os.Stat(e.path); !os.IsNotExist(err) {
		t.Error("the default file was written")
	}
}

func TestSetContextEnvironmentIsValidatedAndStored(t *testing.T) {
	e := newTestEnv(t, nil)
	if r := e.run("config", "set-context", "qa", "--environment", "prod"); r.Code != exitcode.Usage {
		t.Fatalf("bad environment: exit %d, want 2", r.Code)
	}
	if r := e.run("config", "set-context", "qa", "--environment", "test"); r.Err != nil {
		t.Fatal(r.Err)
	}
	c, ok := e.load().Context("qa")
	if !ok || c.Environment != "test" {
		t.Fatalf("context = %+v", c)
	}
}

func TestSetContextKafkaAutoCreateTopics(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"--kafka-auto-create-topics"}, true},
		{[]string{"--kafka-auto-create-topics=false"}, false},
	} {
		opts := &SetContextOptions{Name: "dev", Changed: map[string]bool{flagAutoCreateTopics: true}, AutoCreateTopics: c.want}
		ctx := config.Context{Name: "dev", KafkaAutoCreateTopics: !c.want}
		opts.apply(&ctx)
		if ctx.KafkaAutoCreateTopics != c.want {
			t.Errorf("%v: kafka-auto-create-topics = %v, want %v", c.args, ctx.KafkaAutoCreateTopics, c.want)
		}
	}
}
