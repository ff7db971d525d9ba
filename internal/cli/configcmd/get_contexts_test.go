package configcmd

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
)

func TestGetContextsTable(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "get-contexts")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	assertNoSecrets(t, r.Stdout, r.Stderr)
	// Not a terminal: tab-separated values.
	want := "CURRENT\tNAME\tMONGO\tDATABASE\tBROKERS\tPREFIX\n" +
		"\tdev\tmongodb://127.0.0.1:27017\t\t127.0.0.1:9092\tdev_\n" +
		"*\tprod\tmongodb://admin:REDACTED@db1:27017,db2:27017/integr8scode_db?replicaSet=rs0&tlsCertificateKeyFilePassword=REDACTED\tintegr8scode_db\tk1:9093,k2:9093\tprod_\n" +
		"\tatlas\tmongodb+srv://u:REDACTED@cluster0.example.net/?retryWrites=true\t\t\t\n"
	if r.Stdout != want {
		t.Errorf("got:\n%q\nwant:\n%q", r.Stdout, want)
	}

	e.Term.TTY = true
	r = e.run("config", "get-contexts")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	assertNoSecrets(t, r.Stdout)
	clitest.AssertGolden(t, "get-contexts", r.Stdout)
}

func TestGetContextsJSON(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "get-contexts", "-o", "json")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	assertNoSecrets(t, r.Stdout)
	var doc struct {
		Items   []map[string]any `json:"items"`
		Total   int              `json:"total"`
		Skipped []any            `json:"skipped"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.Stdout)
	}
	got := doc.Items
	if len(got) != 3 || doc.Total != 3 || doc.Skipped == nil {
		t.Fatalf("got %d items, total %d, skipped %v", len(got), doc.Total, doc.Skipped)
	}
	prod := got[1]
	checks := map[string]any{
		"current":       true,
		"name":          "prod",
		"mongo-uri":     "mongodb://admin:REDACTED@db1:27017,db2:27017/integr8scode_db?replicaSet=rs0&tlsCertificateKeyFilePassword=REDACTED",
		"database":      "integr8scode_db",
		"kafka-brokers": []any{"k1:9093", "k2:9093"},
		"topic-prefix":  "prod_",
	}
	for k, want := range checks {
		if !reflect.DeepEqual(prod[k], want) {
			t.Errorf("prod[%q] = %#v, want %#v", k, prod[k], want)
		}
	}
	if len(prod) != len(checks) {
		t.Errorf("prod has fields %v, want exactly %v", prod, checks)
	}
	if got[0]["current"] != false || !reflect.DeepEqual(got[2]["kafka-brokers"], []any{}) {
		t.Errorf("dev/atlas: %v / %v", got[0], got[2])
	}
}

func TestGetContextsYAMLAndNames(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "get-contexts", "atlas", "dev", "-o", "yaml")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	var doc struct {
		Items []contextItem `yaml:"items"`
	}
	if err := yaml.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.Stdout)
	}
	got := doc.Items
	if len(got) != 2 || got[0].Name != "atlas" || got[1].Name != "dev" {
		t.Errorf("got %+v", got)
	}
}

func TestGetContextsNotFound(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	r := e.run("config", "get-contexts", "dev", "nope")
	if r.Code != 3 || r.Stdout != "" {
		t.Fatalf("code %d, out %q, err %v", r.Code, r.Stdout, r.Err)
	}
	if !strings.Contains(r.Err.Error(), "dev, prod, atlas") {
		t.Errorf("error %q does not list the contexts", r.Err)
	}
}

func TestGetContextsEmpty(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.run("config", "get-contexts", "-o", "json")
	if r.Err != nil || strings.Join(strings.Fields(r.Stdout), " ") != `{ "items": [], "total": 0, "skipped": [] }` {
		t.Errorf("out %q, err %v", r.Stdout, r.Err)
	}
}

func TestNewCmdGetContextsArgs(t *testing.T) {
	e := newTestEnv(t, nil)
	f := e.factory()
	var got *GetContextsOptions
	cmd := NewCmdGetContexts(f, clitest.Capture(&got))
	cmd.SetArgs([]string{"a", "b"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Names, []string{"a", "b"}) {
		t.Errorf("names = %v", got.Names)
	}
}

// The list shape is the stable machine interface: a golden per format.
func TestGetContextsMachineGolden(t *testing.T) {
	e := newTestEnv(t, secretsFile())
	for _, format := range []string{"json", "yaml"} {
		r := e.run("config", "get-contexts", "-o", format)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		clitest.AssertGolden(t, "get-contexts_"+format, r.Stdout)
	}
}
