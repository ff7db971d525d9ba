package dlq

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
)

// Strategy is a retry strategy, stored as its lowercase string.
type Strategy string

const (
	StrategyImmediate   Strategy = "immediate"
	StrategyExponential Strategy = "exponential_backoff"
	StrategyFixed       Strategy = "fixed_interval"
	StrategyScheduled   Strategy = "scheduled"
	StrategyManual      Strategy = "manual"
)

// Strategies lists every strategy in contract order.
var Strategies = []Strategy{StrategyImmediate, StrategyExponential, StrategyFixed, StrategyScheduled, StrategyManual}

// ParseStrategy accepts a strategy name, case-insensitive.
func ParseStrategy(s string) (Strategy, error) {
	st := Strategy(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range Strategies {
		if st == v {
			return st, nil
		}
	}
	names := make([]string, len(Strategies))
	for i, v := range Strategies {
		names[i] = string(v)
	}
	return "", fault.Invalidf("unknown retry strategy %q: valid values are %s", s, strings.Join(names, ", "))
}

// DefaultJitter is the contract's default jitter_factor.
const DefaultJitter = 0.1

// Policy is a retry policy. In JSON and YAML the delays are seconds under the
// contract's names (base_delay_seconds, max_delay_seconds).
type Policy struct {
	Strategy   Strategy      `json:"strategy" yaml:"strategy"`
	MaxRetries int           `json:"max_retries" yaml:"max_retries"`
	BaseDelay  time.Duration `json:"base_delay_seconds" yaml:"base_delay_seconds"`
	MaxDelay   time.Duration `json:"max_delay_seconds" yaml:"max_delay_seconds"`
	Multiplier float64       `json:"retry_multiplier" yaml:"retry_multiplier"`
	Jitter     float64       `json:"jitter_factor" yaml:"jitter_factor"`
}

// DefaultPolicy is the platform's RetryPolicy defaults for a strategy: the
// starting point for `policy set` before the operator's flags apply.
func DefaultPolicy(s Strategy) Policy {
	return Policy{Strategy: s, MaxRetries: 5, BaseDelay: 60 * time.Second, MaxDelay: time.Hour, Multiplier: 2.0, Jitter: DefaultJitter}
}

// CanRetry reports whether a message that has been retried retryCount times
// may be retried again automatically.
func (p Policy) CanRetry(retryCount int64) bool {
	return p.Strategy != StrategyManual && retryCount < int64(p.MaxRetries)
}

// maxDelay bounds computed delays so float overflow never wraps a Duration.
const maxDelay = 100 * 365 * 24 * time.Hour

// NextRetry is the contract's next retry time. rnd drives the jitter of
// exponential back-off; nil uses the global source.
func (p Policy) NextRetry(now time.Time, retryCount int64, rnd *rand.Rand) time.Time {
	switch p.Strategy {
	case StrategyImmediate:
		return now
	case StrategyExponential:
		return now.Add(p.backoff(retryCount, rnd))
	default: // fixed_interval, scheduled, manual
		return now.Add(p.BaseDelay)
	}
}

func (p Policy) backoff(retryCount int64, rnd *rand.Rand) time.Duration {
	secs := p.BaseDelay.Seconds() * math.Pow(p.Multiplier, float64(max(retryCount, 0)))
	if p.MaxDelay > 0 {
		secs = math.Min(secs, p.MaxDelay.Seconds())
	}
	if p.Jitter > 0 {
		u := 0.0
		if rnd != nil {
			u = rnd.Float64()
		} else {
			u = rand.Float64()
		}
		secs += secs * p.Jitter * (2*u - 1)
	}
	return secondsToDuration(secs)
}

func secondsToDuration(secs float64) time.Duration {
	switch {
	case math.IsNaN(secs) || secs <= 0:
		return 0
	case secs >= maxDelay.Seconds():
		return maxDelay
	}
	return time.Duration(secs * float64(time.Second))
}

// Validate rejects what an operator may not set; every error is a usage error.
func (p Policy) Validate() error {
	if _, err := ParseStrategy(string(p.Strategy)); err != nil {
		return err
	}
	switch {
	case p.MaxRetries < 0:
		return fault.Invalidf("invalid max retries %d: must be 0 or more", p.MaxRetries)
	case p.BaseDelay < 0:
		return fault.Invalidf("invalid base delay %s: must be 0 or more", p.BaseDelay)
	case p.MaxDelay < 0:
		return fault.Invalidf("invalid max delay %s: must be 0 or more", p.MaxDelay)
	case p.Multiplier < 0 || math.IsNaN(p.Multiplier) || math.IsInf(p.Multiplier, 0):
		return fault.Invalidf("invalid multiplier %g: must be 0 or more", p.Multiplier)
	case p.Jitter < 0 || p.Jitter > 1 || math.IsNaN(p.Jitter):
		return fault.Invalidf("invalid jitter %g: must be between 0 and 1", p.Jitter)
	case p.MaxDelay > 0 && p.MaxDelay < p.BaseDelay:
		return fault.Invalidf("max delay %s is less than base delay %s", p.MaxDelay, p.BaseDelay)
	}
	if p.Strategy == StrategyExponential {
		if p.Multiplier < 1 {
			return fault.Invalidf("invalid multiplier %g: exponential_backoff needs 1 or more", p.Multiplier)
		}
		if p.MaxDelay == 0 {
			return fault.Invalidf("exponential_backoff needs a max delay greater than 0")
		}
	}
	return nil
}

// policyWire is the contract's shape: delays in seconds.
type policyWire struct {
	Strategy   Strategy `json:"strategy" yaml:"strategy" bson:"strategy"`
	MaxRetries int      `json:"max_retries" yaml:"max_retries" bson:"max_retries"`
	BaseDelay  float64  `json:"base_delay_seconds" yaml:"base_delay_seconds" bson:"base_delay_seconds"`
	MaxDelay   float64  `json:"max_delay_seconds" yaml:"max_delay_seconds" bson:"max_delay_seconds"`
	Multiplier float64  `json:"retry_multiplier" yaml:"retry_multiplier" bson:"retry_multiplier"`
	Jitter     float64  `json:"jitter_factor" yaml:"jitter_factor" bson:"jitter_factor"`
}

func (p Policy) wire() policyWire {
	return policyWire{p.Strategy, p.MaxRetries, p.BaseDelay.Seconds(), p.MaxDelay.Seconds(), p.Multiplier, p.Jitter}
}

func (w policyWire) policy() Policy {
	return Policy{w.Strategy, w.MaxRetries, secondsToDuration(w.BaseDelay), secondsToDuration(w.MaxDelay), w.Multiplier, w.Jitter}
}

// MarshalJSON writes delays as seconds.
func (p Policy) MarshalJSON() ([]byte, error) { return json.Marshal(p.wire()) }

// UnmarshalJSON reads delays as seconds.
func (p *Policy) UnmarshalJSON(b []byte) error {
	var w policyWire
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode retry policy: %w", err)
	}
	*p = w.policy()
	return nil
}

// MarshalYAML writes delays as seconds.
func (p Policy) MarshalYAML() (any, error) { return p.wire(), nil }

// UnmarshalYAML reads delays as seconds.
func (p *Policy) UnmarshalYAML(unmarshal func(any) error) error {
	var w policyWire
	if err := unmarshal(&w); err != nil {
		return fmt.Errorf("decode retry policy: %w", err)
	}
	*p = w.policy()
	return nil
}

// Preset is one of the platform's built-in policies and what it covers.
type Preset struct {
	Name       string              `json:"name" yaml:"name"`
	Policy     Policy              `json:"policy" yaml:"policy"`
	Categories []contract.Category `json:"categories" yaml:"categories"`
	EventTypes []string            `json:"event_types" yaml:"event_types"`
}

// Preset names.
const (
	PresetAggressive = "aggressive"
	PresetCautious   = "cautious"
	PresetImmediate  = "immediate"
	PresetDefault    = "default"
)

// Presets returns the contract's table: aggressive, cautious, immediate,
// default, each with the known event types it applies to.
func Presets() []Preset {
	exp := func(n int, base, maxD time.Duration, mult float64) Policy {
		return Policy{Strategy: StrategyExponential, MaxRetries: n, BaseDelay: base, MaxDelay: maxD, Multiplier: mult, Jitter: DefaultJitter}
	}
	ps := []Preset{
		{Name: PresetAggressive, Policy: exp(5, 30*time.Second, 300*time.Second, 2.0),
			Categories: []contract.Category{contract.CategoryExecution, contract.CategoryCommand}},
		{Name: PresetCautious, Policy: exp(3, 60*time.Second, 600*time.Second, 3.0),
			Categories: []contract.Category{contract.CategoryPod}},
		{Name: PresetImmediate, Policy: Policy{Strategy: StrategyImmediate, MaxRetries: 3, Jitter: DefaultJitter},
			Categories: []contract.Category{contract.CategoryResult}},
		{Name: PresetDefault, Policy: exp(4, 60*time.Second, 1800*time.Second, 2.5),
			Categories: []contract.Category{contract.CategoryOther}},
	}
	for i := range ps {
		ps[i].EventTypes = typesOf(ps[i].Categories)
	}
	return ps
}

func typesOf(cats []contract.Category) []string {
	var out []string
	for _, t := range contract.EventTypes() {
		c := contract.CategoryOf(t)
		for _, want := range cats {
			if c == want {
				out = append(out, t)
			}
		}
	}
	return out
}

// presetFor returns the preset an event type falls under.
func presetFor(eventType string) Preset {
	cat := contract.CategoryOf(eventType)
	ps := Presets()
	for _, p := range ps {
		for _, c := range p.Categories {
			if c == cat {
				return p
			}
		}
	}
	return ps[len(ps)-1]
}
