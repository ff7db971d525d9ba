package configcmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/config"
)

func TestViewNeverPrintsPasswords(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	for _, format := range []string{"table", "json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			r := e.run("config", "view", "-o", format)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			assertNoSecrets(t, r.Stdout, r.Stderr)
			if !strings.Contains(r.Stdout, "REDACTED") {
				t.Errorf("output has no REDACTED marker:\n%s", r.Stdout)
			}
		})
	}
	// --raw is deliberately not offered.
	r := e.run("config", "view", "--raw")
	if r.Err == nil || r.Code != 2 {
		t.Errorf("--raw: err %v, code %d; want a usage error", r.Err, r.Code)
	}
	assertNoSecrets(t, r.Stdout, r.Stderr)
}

func TestViewJSON(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "view", "-o", "json")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	var got config.File
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.Stdout)
	}
	if got.CurrentContext != "prod" || len(got.Contexts) != 3 {
		t.Fatalf("decoded %+v", got)
	}
	prod := got.Contexts[1]
	if prod.Name != "prod" ||
		prod.MongoURI != "mongodb://admin:REDACTED@db1:27017,db2:27017/integr8scode_db?replicaSet=rs0&tlsCertificateKeyFilePassword=REDACTED" ||
		prod.SASL == nil || prod.SASL.Password != "REDACTED" || prod.SASL.Username != "replayctl" ||
		prod.TLS == nil || !prod.TLS.Enabled || prod.TLS.CAFile != "/etc/ssl/ca.pem" ||
		strings.Join(prod.KafkaBrokers, ",") != "k1:9093,k2:9093" {
		t.Errorf("prod = %+v (tls %+v, sasl %+v)", prod, prod.TLS, prod.SASL)
	}
	if got.Contexts[2].MongoURI != "mongodb+srv://u:REDACTED@cluster0.example.net/?retryWrites=true" {
		t.Errorf("atlas uri = %q", got.Contexts[2].MongoURI)
	}
	// The file itself still holds the real password.
	if !strings.Contains(e.raw(), "sasl-s3cret") {
		t.Error("view changed the file")
	}
}

func TestViewTableIsYAML(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "view")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	var got config.File
	if err := yaml.Unmarshal([]byte(r.Stdout), &got); err != nil {
		t.Fatalf("table output is not YAML: %v\n%s", err, r.Stdout)
	}
	if len(got.Contexts) != 3 || got.Contexts[1].SASL.Password != "REDACTED" {
		t.Errorf("decoded %+v", got)
	}
	clitest.AssertGolden(t, "view", r.Stdout)
}

func TestViewEmpty(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.run("config", "view", "-o", "json")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if strings.TrimSpace(r.Stdout) != "{\n  \"contexts\": []\n}" {
		t.Errorf("empty view = %q", r.Stdout)
	}
}

func TestNewCmdViewFlags(t *testing.T) {
	e := newTestEnv(t, nil)
	f := e.factory()
	var got *ViewOptions
	cmd := NewCmdView(f, clitest.Capture(&got))
	cmd.SetArgs([]string{})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.ConfigFile == nil || got.Printer == nil {
		t.Fatalf("options %+v", got)
	}
	cmd = NewCmdView(f, func(context.Context, *ViewOptions) error { t.Error("run with an argument"); return nil })
	cmd.SetArgs([]string{"extra"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err == nil {
		t.Error("view accepted an argument")
	}
}
