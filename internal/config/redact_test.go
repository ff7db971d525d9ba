package config

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestRedactURI(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017"},
		{"mongodb://user@h:27017/db", "mongodb://user@h:27017/db"},
		{"mongodb://user:pass@h:27017/db", "mongodb://user:REDACTED@h:27017/db"},
		{"mongodb://user:@h/db", "mongodb://user:@h/db"},
		{"mongodb://:pass@h", "mongodb://:REDACTED@h"},
		// multi-host: net/url rejects or misreads these
		{"mongodb://u:p@h1,h2/db", "mongodb://u:REDACTED@h1,h2/db"},
		{"mongodb://u:p@h1:27017,h2:27018,h3:27019/db?replicaSet=rs0", "mongodb://u:REDACTED@h1:27017,h2:27018,h3:27019/db?replicaSet=rs0"},
		{"mongodb+srv://u:p@cluster0.example.net/db?retryWrites=true", "mongodb+srv://u:REDACTED@cluster0.example.net/db?retryWrites=true"},
		// escaped and unescaped special characters in the password
		{"mongodb://u:p%40ss%2Fw%3Ard@h/db", "mongodb://u:REDACTED@h/db"},
		{"mongodb://u:p@ss@h/db", "mongodb://u:REDACTED@h/db"},
		{"mongodb://u:pa/ss@h/db", "mongodb://u:REDACTED@h/db"},
		{"mongodb://u:pa?ss@h/db", "mongodb://u:REDACTED@h/db"},
		{"mongodb://u:pa:ss@h/db", "mongodb://u:REDACTED@h/db"},
		{"mongodb://u:p#ss@h", "mongodb://u:REDACTED@h"},
		// secret options
		{"mongodb://h/?tls=true&tlsCertificateKeyFilePassword=kp&appName=x", "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=REDACTED&appName=x"},
		{"mongodb://h/?sslClientCertificateKeyPassword=kp", "mongodb://h/?sslClientCertificateKeyPassword=REDACTED"},
		{"mongodb://u:p@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok", "mongodb://u:REDACTED@h/?authMechanism=MONGODB-AWS&authMechanismProperties=REDACTED"},
		{"mongodb://h/?authMechanismProperties=SERVICE_NAME:mongodb", "mongodb://h/?authMechanismProperties=SERVICE_NAME:mongodb"},
		{"mongodb://h/?a=1;myPassword=x", "mongodb://h/?a=1;myPassword=REDACTED"},
		// not a URI at all
		{"u:p@host", "u:REDACTED@host"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := RedactURI(tt.in); got != tt.want {
				t.Errorf("RedactURI(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// An '@' in the options can only make redaction hide more, never less.
func TestRedactURIAtInOptions(t *testing.T) {
	got := RedactURI("mongodb://u:secret@h/db?appName=a@b")
	if strings.Contains(got, "secret") {
		t.Errorf("RedactURI leaked the password: %q", got)
	}
}

func TestFileRedacted(t *testing.T) {
	f := sampleFile()
	r := f.Redacted()

	prod := r.Contexts[1]
	if prod.MongoURI != "mongodb://admin:REDACTED@db1:27017,db2:27017/?replicaSet=rs0" {
		t.Errorf("mongo-uri = %q", prod.MongoURI)
	}
	if prod.SASL.Password != "REDACTED" || prod.SASL.Username != "svc" {
		t.Errorf("sasl = %+v", prod.SASL)
	}
	// The original is untouched: a deep copy.
	if f.Contexts[1].SASL.Password != "hunter2" || !strings.Contains(f.Contexts[1].MongoURI, "s3cret") {
		t.Error("Redacted modified the original file")
	}
	r.Contexts[1].KafkaBrokers[0] = "x"
	r.Contexts[1].TLS.CAFile = "x"
	if f.Contexts[1].KafkaBrokers[0] == "x" || f.Contexts[1].TLS.CAFile == "x" {
		t.Error("Redacted shares slices or pointers with the original")
	}

	for name, marshal := range map[string]func(any) ([]byte, error){"json": json.Marshal, "yaml": yaml.Marshal} {
		out, err := marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"s3cret", "hunter2"} {
			if strings.Contains(string(out), secret) {
				t.Errorf("%s of redacted file contains %q:\n%s", name, secret, out)
			}
		}
	}

	// An empty password stays empty rather than pretending there is one.
	c := Context{Name: "a", SASL: &SASL{Mechanism: "PLAIN", Username: "u"}}
	if got := c.Redacted().SASL.Password; got != "" {
		t.Errorf("empty password redacted to %q", got)
	}
	if (*File)(nil).Redacted() != nil {
		t.Error("nil.Redacted() != nil")
	}
}

func TestJSONTagsMatchYAML(t *testing.T) {
	out, err := json.Marshal(sampleFile())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"current-context"`, `"mongo-uri"`, `"kafka-brokers"`, `"topic-prefix"`, `"dlq-topic"`, `"ca-file"`, `"server-name"`, `"mechanism"`} {
		if !strings.Contains(string(out), key) {
			t.Errorf("JSON lacks key %s: %s", key, out)
		}
	}
	// The dev context has no collections: omitted, not an empty object.
	if strings.Count(string(out), `"collections"`) != 1 {
		t.Errorf("want collections only on prod: %s", out)
	}
}
