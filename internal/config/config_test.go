package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"xdg", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/replayctl/config.yaml"},
		{"home fallback", map[string]string{"HOME": "/h"}, "/h/.config/replayctl/config.yaml"},
		{"relative xdg ignored", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/h"}, "/h/.config/replayctl/config.yaml"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DefaultPath(env(tt.env)); got != filepath.FromSlash(tt.want) {
				t.Errorf("DefaultPath = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadMissingAndEmpty(t *testing.T) {
	dir := t.TempDir()
	f, err := Load(filepath.Join(dir, "nope", "config.yaml"))
	if err != nil || f == nil || len(f.Contexts) != 0 || f.CurrentContext != "" {
		t.Fatalf("missing file: got %+v, %v; want empty File, nil", f, err)
	}
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := Load(empty); err != nil || len(f.Contexts) != 0 {
		t.Fatalf("empty file: got %+v, %v", f, err)
	}
	if f, err := Load(""); err != nil || f == nil {
		t.Fatalf("empty path: got %+v, %v", f, err)
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string
	}{
		{"bad yaml", "contexts:\n  - name: a\n   mongo-uri: x\n", []string{"line "}},
		{"bad yaml tab", "contexts:\n  - name: a\n\tdatabase: x\n", []string{"line "}},
		{"wrong type", "contexts:\n  - name: a\n    kafka-brokers: {a: b}\n", []string{"line 3"}},
		{"unknown key", "contexts:\n  - name: a\n    mongo_uri: mongodb://h\n", []string{"line 3", "mongo_uri"}},
		{"duplicate", "contexts:\n  - name: a\n  - name: a\n", []string{`"a"`, "more than once"}},
		{"no name", "contexts:\n  - database: x\n", []string{"context #1", "empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load succeeded, want error")
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines", err)
			}
		})
	}
}

func TestLoadCanonicalisesMechanism(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	content := "contexts:\n  - name: a\n    sasl:\n      mechanism: scram-sha-512\n      username: u\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Contexts[0].SASL.Mechanism; got != MechanismScramSHA512 {
		t.Errorf("mechanism = %q, want %q", got, MechanismScramSHA512)
	}
}

func sampleFile() *File {
	return &File{
		CurrentContext: "prod",
		Contexts: []Context{
			{Name: "dev", MongoURI: "mongodb://127.0.0.1:27017", TopicPrefix: "dev_"},
			{
				Name:         "prod",
				MongoURI:     "mongodb://admin:s3cret@db1:27017,db2:27017/?replicaSet=rs0",
				Database:     "prod_db",
				KafkaBrokers: []string{"k1:9092", "k2:9092"},
				TopicPrefix:  "prod_",
				DLQTopic:     "dlq",
				Collections:  Collections{Events: "ev"},
				TLS:          &TLS{Enabled: true, CAFile: "/ca.pem", ServerName: "kafka"},
				SASL:         &SASL{Mechanism: MechanismScramSHA512, Username: "svc", Password: "hunter2"},
			},
		},
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "replayctl", "config.yaml")
	want := sampleFile()
	if err := want.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestSavePermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "replayctl", "config.yaml")
	if err := sampleFile().Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %o, want 600", perm)
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if perm := di.Mode().Perm(); perm != 0o700 {
		t.Errorf("dir mode = %o, want 700", perm)
	}

	// Overwriting a file that was made world-readable tightens it again.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sampleFile().Save(path); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(path)
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode after rewrite = %o, want 600", perm)
	}
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := sampleFile().Save(path); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	oldContent, _ := os.ReadFile(path)

	f := sampleFile()
	f.CurrentContext = "dev"
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if os.SameFile(before, after) {
		t.Error("Save rewrote the file in place; want a new file renamed over it")
	}
	// A reader holding the old file still sees the complete old content.
	buf := make([]byte, len(oldContent)+10)
	n, _ := old.Read(buf)
	if string(buf[:n]) != string(oldContent) {
		t.Errorf("old handle reads %q, want %q", buf[:n], oldContent)
	}
	assertOnlyFiles(t, dir, "config.yaml")
}

func TestSaveFailureLeavesNoTempFile(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty directory: the final rename fails.
	path := filepath.Join(dir, "config.yaml")
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := sampleFile().Save(path); err == nil {
		t.Fatal("Save over a directory succeeded, want error")
	}
	assertOnlyFiles(t, dir, "config.yaml")
}

func TestSaveRejectsDuplicateNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	f := &File{Contexts: []Context{{Name: "a"}, {Name: "a"}}}
	if err := f.Save(path); err == nil {
		t.Fatal("Save with duplicate names succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file was written: %v", err)
	}
	if err := (&File{}).Save(""); err == nil {
		t.Error("Save(\"\") succeeded")
	}
}

func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !reflect.DeepEqual(got, names) {
		t.Errorf("directory holds %v, want %v", got, names)
	}
}

func TestContextOperations(t *testing.T) {
	f := sampleFile()
	c, ok := f.Context("dev")
	if !ok || c.TopicPrefix != "dev_" {
		t.Fatalf("Context(dev) = %+v, %v", c, ok)
	}
	c.Database = "changed"
	if f.Contexts[0].Database != "changed" {
		t.Error("Context does not return a pointer into the file")
	}
	if _, ok := f.Context("nope"); ok {
		t.Error("Context(nope) found something")
	}

	f.SetContext(Context{Name: "dev", Database: "d2"})
	if len(f.Contexts) != 2 || f.Contexts[0].Database != "d2" || f.Contexts[0].TopicPrefix != "" {
		t.Errorf("SetContext replace: %+v", f.Contexts)
	}
	f.SetContext(Context{Name: "stage"})
	if got := f.ContextNames(); !reflect.DeepEqual(got, []string{"dev", "prod", "stage"}) {
		t.Errorf("names after insert = %v", got)
	}

	if !f.DeleteContext("dev") || f.CurrentContext != "prod" {
		t.Errorf("delete dev: current = %q", f.CurrentContext)
	}
	if f.DeleteContext("dev") {
		t.Error("second delete of dev reported true")
	}
	if !f.DeleteContext("prod") || f.CurrentContext != "" {
		t.Errorf("deleting the current context left current-context = %q", f.CurrentContext)
	}
	if got := f.ContextNames(); !reflect.DeepEqual(got, []string{"stage"}) {
		t.Errorf("names after deletes = %v", got)
	}
}

func TestContextValidate(t *testing.T) {
	tests := []struct {
		name    string
		ctx     Context
		wantErr string
	}{
		{"ok minimal", Context{Name: "a"}, ""},
		{"ok full", sampleFile().Contexts[1], ""},
		{"ok srv", Context{Name: "a", MongoURI: "mongodb+srv://u:p@cluster.example.com/db"}, ""},
		{"empty name", Context{Name: " "}, "name"},
		{"bad scheme", Context{Name: "a", MongoURI: "http://u:pw@h"}, "mongodb://"},
		{"no host", Context{Name: "a", MongoURI: "mongodb://"}, "no host"},
		{"empty broker", Context{Name: "a", KafkaBrokers: []string{"k1", ""}}, "empty broker"},
		{"cert without key", Context{Name: "a", TLS: &TLS{CertFile: "c"}}, "key-file"},
		{"key without cert", Context{Name: "a", TLS: &TLS{KeyFile: "k"}}, "cert-file"},
		{"bad mechanism", Context{Name: "a", SASL: &SASL{Mechanism: "GSSAPI", Username: "u"}}, "unknown mechanism"},
		{"no mechanism", Context{Name: "a", SASL: &SASL{Username: "u", Password: "p"}}, "mechanism is required"},
		{"no username", Context{Name: "a", SASL: &SASL{Mechanism: "PLAIN"}}, "username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ctx.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate succeeded, want error containing %q", tt.wantErr)
			}
			if _, ok := err.(*ValidationError); !ok {
				t.Errorf("error is %T, want *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("error %q leaks a password", err)
			}
		})
	}
}

func TestParseMechanism(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "PLAIN", "Scram-Sha-256": "SCRAM-SHA-256", " SCRAM-SHA-512 ": "SCRAM-SHA-512",
	} {
		got, err := ParseMechanism(in)
		if err != nil || got != want {
			t.Errorf("ParseMechanism(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseMechanism("SCRAM-SHA-1"); err == nil {
		t.Error("SCRAM-SHA-1 accepted")
	}
}

func TestParseBrokers(t *testing.T) {
	got, err := ParseBrokers(" a:1 , b:2")
	if err != nil || !reflect.DeepEqual(got, []string{"a:1", "b:2"}) {
		t.Errorf("ParseBrokers = %v, %v", got, err)
	}
	for _, bad := range []string{"", ",", "a,,b", "a, "} {
		if _, err := ParseBrokers(bad); err == nil {
			t.Errorf("ParseBrokers(%q) succeeded", bad)
		}
	}
}
