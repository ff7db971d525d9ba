package dlq

import "testing"

func TestNormalizeError(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain message", "plain message"},
		{"KafkaTimeoutError: produce to execution_requested timed out after 30000ms (partition 2)",
			"KafkaTimeoutError: produce to execution_requested timed out after <d> (partition <n>)"},
		{"ValidationError: pod executor-3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8 missing field 'exit_code'",
			"ValidationError: pod executor-<id> missing field '<v>'"},
		{`KubernetesApiError: (409) Conflict: pods "executor-abc" already exists`,
			`KubernetesApiError: (<n>) Conflict: pods "<v>" already exists`},
		{"ProcessingError: handler saga-orchestrator raised KeyError('resource_usage') for execution 0a1b2c3d",
			"ProcessingError: handler saga-orchestrator raised KeyError('<v>') for execution <id>"},
		{"ConnectionError: mongodb://mongo:27017/integr8scode_db connection refused after 5 attempts",
			"ConnectionError: mongodb://mongo:<n>/integr8scode_db connection refused after <n> attempts"},
		{"object 65f1a2b3c4d5e6f708192a3b not found", "object <id> not found"},
		{"deadline 1.5s exceeded, retry in 2m30s", "deadline <d> exceeded, retry in <d>"},
		{"host 10.0.0.12 said 3.14", "host <n> said <n>"},
		{"can't decode: don't know", "can't decode: don't know"},
		{"word acceded stays, producer_7f3a9b2c1 goes", "word acceded stays, producer_<id> goes"},
		{"utf8 and v2 and int32 stay", "utf8 and v2 and int32 stay"},
		{"  spaces\n\tcollapse  ", "spaces collapse"},
		{"unterminated 'quote stays", "unterminated 'quote stays"},
		{"offset 12345 and offset 67890", "offset <n> and offset <n>"},
	}
	for _, tt := range tests {
		if got := NormalizeError(tt.in); got != tt.want {
			t.Errorf("NormalizeError(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// Messages that differ only in ids, numbers and durations share a pattern.
func TestNormalizeErrorGroups(t *testing.T) {
	a := NormalizeError("TimeoutError: consumer group svc-a-group exceeded 30s processing deadline at offset 17")
	b := NormalizeError("TimeoutError: consumer group svc-a-group exceeded 45s processing deadline at offset 90210")
	if a != b {
		t.Errorf("patterns differ: %q vs %q", a, b)
	}
}
