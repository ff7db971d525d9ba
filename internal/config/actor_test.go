package config

import (
	"os"
	"testing"
)

// TestResolveActor: --actor beats REPLAYCTL_ACTOR beats the context's
// actor; without any, $USER@hostname (LOGNAME when USER is unset), and a
// blank value counts as not given.
func TestResolveActor(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no hostname: %v", err)
	}
	withActor := &File{CurrentContext: "ops", Contexts: []Context{{Name: "ops", Actor: "ops-team"}}}
	cases := []struct {
		name string
		file *File
		over Overrides
		env  map[string]string
		want string
	}{
		{"default", nil, nil, map[string]string{"USER": "ana"}, "ana@" + host},
		{"LOGNAME without USER", nil, nil, map[string]string{"LOGNAME": "bo"}, "bo@" + host},
		{"nobody known", nil, nil, map[string]string{}, "unknown@" + host},
		{"context", withActor, nil, map[string]string{"USER": "ana"}, "ops-team"},
		{"environment beats context", withActor, nil, map[string]string{EnvActor: "ci-job-42"}, "ci-job-42"},
		{"flag beats environment", withActor, Overrides{"actor": " ana "}, map[string]string{EnvActor: "ci"}, "ana"},
		{"blank flag and environment", withActor, Overrides{"actor": "  "}, map[string]string{EnvActor: " "}, "ops-team"},
	}
	for _, c := range cases {
		s, err := resolveWith(t, c.file, c.over, c.env)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if s.Actor != c.want {
			t.Errorf("%s: Actor = %q, want %q", c.name, s.Actor, c.want)
		}
	}
}
