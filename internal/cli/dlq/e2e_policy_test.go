package dlqcmd

import (
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/exitcode"
)

// resolvedOut is `dlq policy show -o json`; the policy's own field names
// are pinned by the policy list goldens.
type resolvedOut struct {
	Topic     string     `json:"topic"`
	EventType string     `json:"event_type"`
	Policy    policyJSON `json:"policy"`
	Source    string     `json:"source"`
	Preset    string     `json:"preset"`
	Override  bool       `json:"override"`
}

type policyEntryOut struct {
	Kind       string   `json:"kind"`
	Name       string   `json:"name"`
	Topic      string   `json:"topic"`
	Strategy   string   `json:"strategy"`
	EventTypes []string `json:"event_types"`
	UpdatedBy  string   `json:"updated_by"`
}

type policyListOut struct {
	Items   []policyEntryOut `json:"items"`
	Skipped []any            `json:"skipped"`
}

func (l policyListOut) of(kind string) []policyEntryOut {
	var out []policyEntryOut
	for _, it := range l.Items {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

func TestE2EPolicy(t *testing.T) {
	e := newEnv(t)
	topic := e.topic("pod_failed")

	var res resolvedOut
	e.okJSON(&res, "policy", "show", topic)
	if res.EventType != "pod_failed" || res.Preset != "cautious" || res.Override || res.Policy.MaxRetries != 3 || res.Policy.MaxDelaySeconds != 600 {
		t.Errorf("preset for %s: %+v", topic, res)
	}
	e.okJSON(&res, "policy", "show", "payments-retry", "--type", "result_stored")
	if res.Preset != "immediate" || res.EventType != "result_stored" {
		t.Errorf("--type: %+v", res)
	}

	// Bad input is rejected before anything is written.
	r := e.wantExit(exitcode.Usage, runOpts{}, "policy", "set", topic, "--strategy", "linear")
	if !strings.Contains(r.Err.Error(), "exponential_backoff") {
		t.Errorf("unknown strategy should list the valid ones: %v", r.Err)
	}
	e.wantExit(exitcode.Usage, runOpts{}, "policy", "set", topic, "--strategy", "fixed_interval", "--max-delay", "10s")
	e.wantExit(exitcode.Usage, runOpts{}, "policy", "set", topic, "--strategy", "fixed_interval", "--max-retries", "-2")
	var list policyListOut
	e.okJSON(&list, "policy", "list")
	if len(list.of("preset")) != 4 || len(list.of("override")) != 0 || list.Skipped == nil {
		t.Fatalf("after rejected sets: %+v", list)
	}

	// Unspecified fields come from the preset that would otherwise apply.
	r = e.run(runOpts{}, "policy", "set", topic, "--strategy", "fixed_interval", "--base-delay", "2m")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	for _, want := range []string{"Strategy:     fixed_interval", "Max retries:  3", "Base delay:   2m", "Max delay:    10m", "override for topic " + topic} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("policy set should print %q:\n%s", want, r.Stdout)
		}
	}
	if !strings.Contains(r.Stderr, "saved") {
		t.Errorf("policy set should confirm on stderr: %q", r.Stderr)
	}
	e.okJSON(&res, "policy", "show", topic)
	if !res.Override || res.Policy.Strategy != "fixed_interval" || res.Policy.BaseDelaySeconds != 120 || res.Policy.MaxDelaySeconds != 600 || res.Policy.RetryMultiplier != 3 {
		t.Errorf("override: %+v", res)
	}
	e.okJSON(&list, "policy", "list")
	overrides, presets := list.of("override"), list.of("preset")
	if len(overrides) != 1 || overrides[0].Topic != topic || overrides[0].Strategy != "fixed_interval" || overrides[0].UpdatedBy == "" {
		t.Errorf("override list: %+v", overrides)
	}
	if len(presets[0].EventTypes) != 13 || presets[0].Name != "aggressive" {
		t.Errorf("preset JSON lists every type: %+v", presets[0])
	}
	if out := e.ok("policy", "list"); !strings.Contains(out, "Presets") || !strings.Contains(out, topic+"\tfixed_interval") {
		t.Errorf("policy list table:\n%s", out)
	}

	e.okJSON(&res, "policy", "unset", topic)
	if res.Override || res.Preset != "cautious" {
		t.Errorf("after unset the preset applies again: %+v", res)
	}
	r = e.wantExit(exitcode.NotFound, runOpts{}, "policy", "unset", topic)
	if !strings.Contains(r.Err.Error(), topic) {
		t.Errorf("unset of a missing override should name the topic: %v", r.Err)
	}
}
