package config

import (
	"errors"
	"testing"
)

// Topic auto-creation is off unless the context or the environment turns
// it on; the environment wins over the context.
func TestResolveKafkaAutoCreateTopics(t *testing.T) {
	on := &File{CurrentContext: "dev", Contexts: []Context{{Name: "dev", KafkaAutoCreateTopics: true}}}
	cases := []struct {
		name string
		file *File
		env  string
		want bool
	}{
		{"default", nil, "", false},
		{"context", on, "", true},
		{"environment", nil, "true", true},
		{"environment beats context", on, "false", false},
	}
	for _, c := range cases {
		vars := map[string]string{}
		if c.env != "" {
			vars[EnvKafkaAutoCreateTopics] = c.env
		}
		s, err := resolveWith(t, c.file, nil, vars)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if s.KafkaAutoCreateTopics != c.want {
			t.Errorf("%s: KafkaAutoCreateTopics = %v, want %v", c.name, s.KafkaAutoCreateTopics, c.want)
		}
	}
	_, err := resolveWith(t, nil, nil, map[string]string{EnvKafkaAutoCreateTopics: "sometimes"})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "kafka-auto-create-topics" {
		t.Fatalf("bad value: err = %v, want a ValidationError on kafka-auto-create-topics", err)
	}
}
