package configcmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// testEnv is a temporary config file plus the environment that points the
// real factory at it.
type testEnv struct {
	t    *testing.T
	path string
	env  map[string]string
	tty  bool // pretend to be on a terminal
}

func newTestEnv(t *testing.T, file *config.File) *testEnv {
	t.Helper()
	path := filepath.Join(t.TempDir(), "replayctl", "config.yaml")
	if file != nil {
		if err := file.Save(path); err != nil {
			t.Fatal(err)
		}
	}
	return &testEnv{t: t, path: path, env: map[string]string{config.EnvConfig: path}}
}

type result struct {
	out, errOut string
	err         error
}

func (r result) code() exitcode.Code { return cmdutil.ExitCode(r.err) }

// globalFlags mirrors the persistent flags of the real root command
// (internal/cli/root.go), so the tests see the same flag shadowing.
var globalFlags = []string{"mongo-uri", "database", "kafka-brokers", "topic-prefix", "context", "config", "output", "timeout", "no-color"}

// newRoot builds a root command like the real one around f: the same
// persistent flags, and the same collection of explicitly set flags into
// f.Overrides before any command runs.
func newRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "replayctl",
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range globalFlags {
				if fl := cmd.Flags().Lookup(name); fl != nil && fl.Changed {
					f.Overrides[name] = fl.Value.String()
				}
			}
			return nil
		},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	pf := root.PersistentFlags()
	pf.String("mongo-uri", "", "")
	pf.String("database", "", "")
	pf.String("kafka-brokers", "", "")
	pf.String("topic-prefix", "", "")
	pf.String("context", "", "")
	pf.String("config", "", "")
	pf.StringP("output", "o", "", "")
	pf.Bool("no-color", false, "")
	pf.Duration("timeout", 0, "")
	root.AddCommand(NewCmdConfig(f))
	return root
}

// factory returns a real factory reading e's config file; each run gets a
// fresh one, so no setting or override of one run leaks into the next.
func (e *testEnv) factory(stdin string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, out, errOut := clitest.Term{TTY: e.tty, Stdin: stdin}.Streams()
	env := e.env
	return cmdutil.New(ios, func(k string) string { return env[k] }, time.Now), out, errOut
}

// run executes `replayctl ARGS...` with a fresh factory.
func (e *testEnv) run(args ...string) result {
	return e.runStdin("", args...)
}

func (e *testEnv) runStdin(stdin string, args ...string) result {
	e.t.Helper()
	f, out, errOut := e.factory(stdin)
	err := clitest.Exec(context.Background(), newRoot(f), f.IO, args...)
	return result{out: out.String(), errOut: errOut.String(), err: err}
}

func (e *testEnv) load() *config.File {
	e.t.Helper()
	f, err := config.Load(e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

func (e *testEnv) raw() string {
	e.t.Helper()
	data, err := os.ReadFile(e.path)
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatal(err)
	}
	return string(data)
}

// secretsFile holds every kind of secret the config file can contain.
func secretsFile() *config.File {
	return &config.File{
		CurrentContext: "prod",
		Contexts: []config.Context{
			{
				Name:         "dev",
				MongoURI:     "mongodb://127.0.0.1:27017",
				KafkaBrokers: []string{"127.0.0.1:9092"},
				TopicPrefix:  "dev_",
			},
			{
				Name:         "prod",
				MongoURI:     "mongodb://admin:mongo-s3cret@db1:27017,db2:27017/integr8scode_db?replicaSet=rs0&tlsCertificateKeyFilePassword=keyfile-s3cret",
				Database:     "integr8scode_db",
				KafkaBrokers: []string{"k1:9093", "k2:9093"},
				TopicPrefix:  "prod_",
				TLS:          &config.TLS{Enabled: true, CAFile: "/etc/ssl/ca.pem"},
				SASL:         &config.SASL{Mechanism: config.MechanismScramSHA512, Username: "replayctl", Password: "sasl-s3cret"},
			},
			{
				Name:     "atlas",
				MongoURI: "mongodb+srv://u:p%40ss-s3cret@cluster0.example.net/?retryWrites=true",
			},
		},
	}
}

var secrets = []string{"mongo-s3cret", "keyfile-s3cret", "sasl-s3cret", "ss-s3cret"}

func assertNoSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("output contains secret %q:\n%s", s, text)
			}
		}
	}
}

func writeRaw(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
