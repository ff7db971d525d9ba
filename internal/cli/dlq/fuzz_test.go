package dlqcmd

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// FuzzPolicySetFlags drives `dlq policy set` flags through parsing and the
// merge with the preset, as far as the write. A refusal must be a usage
// error; an accepted policy must validate, with finite, non-negative
// delays whose value does not depend on the platform's float conversion,
// and a delay Go can read as a duration must be read as Go reads it.
func FuzzPolicySetFlags(f *testing.F) {
	f.Add("fixed_interval", "2m", "10m", "10", "0.5", "1.5")
	f.Add("exponential_backoff", "90", "1h30m", "3", "0.1", "2")
	f.Add("MANUAL", "0", "0s", "0", "0", "0")
	f.Add("immediate", "1d", "2w", "-1", "1.5", "-1")
	f.Add("scheduled", "NaN", "Inf", "1", "NaN", "NaN")
	f.Add("fixed_interval", "1e300", "9.3e9", "1", "0", "1")
	f.Add("fixed_interval", "-5s", "soon", "1", "0", "1")
	f.Add("bogus", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, strategy, base, maxDelay, retries, jitter, multiplier string) {
		args := []string{"some-topic", "--strategy=" + strategy, "--base-delay=" + base, "--max-delay=" + maxDelay,
			"--max-retries=" + retries, "--jitter=" + jitter, "--multiplier=" + multiplier}
		var got *PolicySetOptions
		err := clitest.Execute(NewCmdPolicySet(flagFactory(), clitest.Capture(&got)), args...)
		if err == nil {
			_, err = mergePolicy(got, dlq.Presets(), "pod_failed")
		}
		if err != nil {
			if exitcode.Of(err) != exitcode.Usage {
				t.Fatalf("%q: %v (exit %d), want a usage error", args, err, exitcode.Of(err))
			}
			return
		}
		for name, d := range map[string]*time.Duration{"base": got.BaseDelay, "max": got.MaxDelay} {
			if d == nil {
				continue
			}
			if *d < 0 || *d == math.MaxInt64 || *d == math.MinInt64 {
				t.Fatalf("%q: %s delay %d accepted", args, name, *d)
			}
		}
		for raw, d := range map[string]*time.Duration{base: got.BaseDelay, maxDelay: got.MaxDelay} {
			if goD, err := time.ParseDuration(strings.TrimSpace(raw)); err == nil && d != nil && goD >= 0 && *d != goD {
				t.Fatalf("%q: delay %q read as %v, Go reads %v", args, raw, *d, goD)
			}
		}
		for _, v := range []*float64{got.Multiplier, got.Jitter} {
			if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
				t.Fatalf("%q: non-finite %v accepted", args, *v)
			}
		}
	})
}
