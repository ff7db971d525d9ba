package config

import (
	"bytes"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse feeds arbitrary bytes to the config file loader. It must never
// panic; a file it accepts must save and load back unchanged, and every
// context in it must resolve (worker section included) to settings or to
// an error, never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"current-context: dev\ncontexts:\n  - name: dev\n    mongo-uri: mongodb://u:p@127.0.0.1:27017\n    kafka-brokers: [a:1, b:2]\n",
		"contexts:\n  - name: prod\n    topic-prefix: dev_\n    dlq-topic: dlq\n    environment: staging\n" +
			"    collections: {events: ev, sessions: s, dlq: d}\n" +
			"    tls: {enabled: true, ca-file: /ca.pem, insecure-skip-verify: true}\n" +
			"    sasl: {mechanism: scram-sha-512, username: u, password: p}\n" +
			"    worker: {concurrency: 4, poll-interval: 2s, lease-ttl: \"30\", http-addr: \"\", log-level: debug, shutdown-timeout: 1m30s}\n",
		"contexts:\n  - name: a\n  - name: a\n",
		"contexts:\n  - name: \" a\"\n",
		"contexts: [{name: x, unknown: 1}]\n",
		"contexts:\n  - name: w\n    worker: {concurrency: -1, poll-interval: 0s}\n",
		"contexts: {name: x}\n",
		"&a [*a]\n",
		"contexts:\n  - name: x\n    environment: \"\\u0000\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := file.Save(path); err != nil {
			t.Fatalf("an accepted file does not save: %v\n%s", err, data)
		}
		back, err := Load(path)
		if err != nil {
			t.Fatalf("a saved file does not load: %v\n%s", err, data)
		}
		if a, b := encode(t, file), encode(t, back); !bytes.Equal(a, b) {
			t.Fatalf("round trip changed the file:\n%s\n---\n%s", a, b)
		}
		getenv := func(k string) string {
			if k == EnvConfig {
				return path
			}
			return ""
		}
		for _, c := range file.Contexts {
			s, _, err := Resolve(Overrides{"context": c.Name}, getenv)
			if err != nil {
				continue
			}
			_, _ = ResolveWorker(s, nil, getenv)
		}
	})
}

func encode(t *testing.T, f *File) []byte {
	t.Helper()
	out, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
