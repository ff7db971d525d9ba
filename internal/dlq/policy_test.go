package dlq

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/fault"
	"go.yaml.in/yaml/v3"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestParseStrategy(t *testing.T) {
	for _, s := range []string{"immediate", "EXPONENTIAL_BACKOFF", " fixed_interval ", "scheduled", "manual"} {
		if _, err := ParseStrategy(s); err != nil {
			t.Errorf("ParseStrategy(%q): %v", s, err)
		}
	}
	_, err := ParseStrategy("exponential")
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "exponential_backoff") {
		t.Errorf("unknown strategy: %v (kind %v)", err, fault.KindOf(err))
	}
}

func TestPresetsMatchContract(t *testing.T) {
	want := map[string]Policy{
		"aggressive": {StrategyExponential, 5, 30 * time.Second, 300 * time.Second, 2.0, 0.1},
		"cautious":   {StrategyExponential, 3, 60 * time.Second, 600 * time.Second, 3.0, 0.1},
		"immediate":  {StrategyImmediate, 3, 0, 0, 0, 0.1},
		"default":    {StrategyExponential, 4, 60 * time.Second, 1800 * time.Second, 2.5, 0.1},
	}
	ps := Presets()
	if len(ps) != 4 || ps[0].Name != "aggressive" || ps[3].Name != "default" {
		t.Fatalf("presets order: %+v", ps)
	}
	for _, p := range ps {
		if p.Policy != want[p.Name] {
			t.Errorf("%s = %+v, want %+v", p.Name, p.Policy, want[p.Name])
		}
	}
	cases := map[string]string{
		"execution_failed": "aggressive", "create_pod_command": "aggressive", "pod_failed": "cautious",
		"result_stored": "immediate", "user_login": "default", "brand_new_type": "default", "": "default",
	}
	for typ, preset := range cases {
		if got := presetFor(typ).Name; got != preset {
			t.Errorf("presetFor(%q) = %s, want %s", typ, got, preset)
		}
	}
	if !contains(ps[0].EventTypes, "execution_requested") || !contains(ps[0].EventTypes, "delete_pod_command") || contains(ps[0].EventTypes, "pod_failed") {
		t.Errorf("aggressive types: %v", ps[0].EventTypes)
	}
	if !contains(ps[3].EventTypes, "user_login") || contains(ps[3].EventTypes, "result_failed") {
		t.Errorf("default types: %v", ps[3].EventTypes)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestPresetSource(t *testing.T) {
	r := presetResolved("execution_failed")
	if r.Source != "preset aggressive (EXECUTION event type execution_failed)" || r.Preset != "aggressive" || r.Override {
		t.Errorf("resolved = %+v", r)
	}
}

func TestCanRetry(t *testing.T) {
	p := Policy{Strategy: StrategyExponential, MaxRetries: 3}
	if !p.CanRetry(0) || !p.CanRetry(2) || p.CanRetry(3) || p.CanRetry(4) {
		t.Error("exponential: retry while retry_count < max_retries")
	}
	if (Policy{Strategy: StrategyManual, MaxRetries: 10}).CanRetry(0) {
		t.Error("manual never retries automatically")
	}
	if (Policy{Strategy: StrategyImmediate}).CanRetry(0) {
		t.Error("max_retries 0 allows no retry")
	}
}

func TestNextRetry(t *testing.T) {
	base := Policy{BaseDelay: 60 * time.Second, MaxDelay: 600 * time.Second, Multiplier: 3}
	with := func(s Strategy) Policy { p := base; p.Strategy = s; return p }
	if got := with(StrategyImmediate).NextRetry(t0, 2, nil); !got.Equal(t0) {
		t.Errorf("immediate = %v", got)
	}
	for _, s := range []Strategy{StrategyFixed, StrategyScheduled, StrategyManual} {
		if got := with(s).NextRetry(t0, 5, nil); !got.Equal(t0.Add(60 * time.Second)) {
			t.Errorf("%s = %v, want now+base", s, got)
		}
	}
	exp := with(StrategyExponential)
	for n, want := range map[int64]time.Duration{0: 60 * time.Second, 1: 180 * time.Second, 2: 540 * time.Second, 3: 600 * time.Second, 50: 600 * time.Second} {
		if got := exp.NextRetry(t0, n, nil); !got.Equal(t0.Add(want)) {
			t.Errorf("exponential retry_count %d = +%v, want +%v", n, got.Sub(t0), want)
		}
	}
}

// Jitter stays within +/- jitter_factor and is reproducible with a seed.
func TestNextRetryJitterBounds(t *testing.T) {
	p := Presets()[0].Policy // aggressive: 30s x2, cap 300s, jitter 0.1
	rnd := rand.New(rand.NewPCG(1, 2))
	var lo, hi time.Duration = time.Hour, 0
	for range 2000 {
		d := p.NextRetry(t0, 2, rnd).Sub(t0) // nominal 120s
		if d < 108*time.Second || d > 132*time.Second {
			t.Fatalf("jittered delay %v outside 120s +/- 10%%", d)
		}
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo > 110*time.Second || hi < 130*time.Second {
		t.Errorf("jitter does not spread: [%v, %v]", lo, hi)
	}
	a := p.NextRetry(t0, 1, rand.New(rand.NewPCG(7, 7)))
	b := p.NextRetry(t0, 1, rand.New(rand.NewPCG(7, 7)))
	if !a.Equal(b) {
		t.Error("same seed, different times")
	}
	// The cap applies before the jitter, as the platform computes it.
	if d := p.NextRetry(t0, 10, rnd).Sub(t0); d < 270*time.Second || d > 330*time.Second {
		t.Errorf("capped delay %v outside 300s +/- 10%%", d)
	}
}

func TestPolicyValidate(t *testing.T) {
	good := DefaultPolicy(StrategyExponential)
	if err := good.Validate(); err != nil {
		t.Fatalf("default policy invalid: %v", err)
	}
	bad := map[string]func(*Policy){
		"strategy":   func(p *Policy) { p.Strategy = "sometimes" },
		"retries":    func(p *Policy) { p.MaxRetries = -1 },
		"base":       func(p *Policy) { p.BaseDelay = -time.Second },
		"max":        func(p *Policy) { p.MaxDelay = -time.Second },
		"max<base":   func(p *Policy) { p.MaxDelay = 10 * time.Second },
		"multiplier": func(p *Policy) { p.Multiplier = -2 },
		"exp mult":   func(p *Policy) { p.Multiplier = 0.5 },
		"jitter":     func(p *Policy) { p.Jitter = 1.5 },
		"neg jitter": func(p *Policy) { p.Jitter = -0.1 },
	}
	for name, mut := range bad {
		p := good
		mut(&p)
		if err := p.Validate(); fault.KindOf(err) != fault.Invalid {
			t.Errorf("%s: err %v, want a usage error", name, err)
		}
	}
	if err := (Policy{Strategy: StrategyManual}).Validate(); err != nil {
		t.Errorf("manual with zeros: %v", err)
	}
}

func TestPolicyJSONAndYAMLUseSeconds(t *testing.T) {
	p := Presets()[1].Policy
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"strategy":"exponential_backoff","max_retries":3,"base_delay_seconds":60,"max_delay_seconds":600,"retry_multiplier":3,"jitter_factor":0.1}`
	if string(b) != want {
		t.Errorf("json = %s\nwant   %s", b, want)
	}
	var back Policy
	if err := json.Unmarshal(b, &back); err != nil || back != p {
		t.Errorf("json round trip = %+v, %v", back, err)
	}
	y, err := yaml.Marshal(p)
	if err != nil || !strings.Contains(string(y), "base_delay_seconds: 60") {
		t.Errorf("yaml = %s, %v", y, err)
	}
	var fromYAML Policy
	if err := yaml.Unmarshal(y, &fromYAML); err != nil || !reflect.DeepEqual(fromYAML, p) {
		t.Errorf("yaml round trip = %+v, %v", fromYAML, err)
	}
}
