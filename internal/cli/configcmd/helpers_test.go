package configcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
)

// testEnv is the harness's offline environment plus its config file.
type testEnv struct {
	*clitest.Env
	path string
}

func newTestEnv(t *testing.T, file *config.File) *testEnv {
	t.Helper()
	e := &testEnv{Env: clitest.NewOffline(t, NewCmdConfig)}
	e.path = e.Vars[config.EnvConfig]
	if file != nil {
		if err := file.Save(e.path); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// factory is a real factory reading e's config file, for tests that build
// one command on their own.
func (e *testEnv) factory() *cmdutil.Factory {
	ios, _, _ := clitest.Term{}.Streams()
	return e.NewFactory(ios)
}

// run executes `replayctl ARGS...` with a fresh factory.
func (e *testEnv) run(args ...string) clitest.Result {
	e.T.Helper()
	return e.Run(args...)
}

// runStdin is run with what the operator types.
func (e *testEnv) runStdin(stdin string, args ...string) clitest.Result {
	e.T.Helper()
	return e.RunWith(clitest.Term{TTY: e.Term.TTY, Stdin: stdin}, nil, args...)
}

func (e *testEnv) load() *config.File {
	e.T.Helper()
	f, err := config.Load(e.path)
	if err != nil {
		e.T.Fatal(err)
	}
	return f
}

func (e *testEnv) raw() string {
	e.T.Helper()
	data, err := os.ReadFile(e.path)
	if err != nil && !os.IsNotExist(err) {
		e.T.Fatal(err)
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
