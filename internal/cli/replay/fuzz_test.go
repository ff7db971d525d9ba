package replaycmd

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/replay"
)

// filterOf runs `replay preview` with args through flag parsing and the
// domain's validation, and returns the filter it would replay with.
func filterOf(args ...string) (contract.SessionConfig, error) {
	var got *PreviewOptions
	err := clitest.Execute(NewCmdPreview(flagFactory(), clitest.Capture(&got)), args...)
	if err != nil {
		return contract.SessionConfig{}, err
	}
	sess, err := replay.NewSession(got.Spec, fixedNow, "")
	if err != nil {
		return contract.SessionConfig{}, err
	}
	return sess.Config, nil
}

// accepted runs filterOf on args, plus --allow-unknown-type when allow;
// a refusal must be a usage error, and then ok is false.
func accepted(t *testing.T, allow bool, args []string) (cfg contract.SessionConfig, ok bool) {
	t.Helper()
	if allow {
		args = append(args, "--allow-unknown-type")
	}
	cfg, err := filterOf(args...)
	if err != nil {
		mustBeUsage(t, err, args)
		return cfg, false
	}
	return cfg, true
}

// mustBeUsage fails unless err is a usage error (exit 2): bad input is
// the operator's mistake, never a crash or an internal error.
func mustBeUsage(t *testing.T, err error, args []string) {
	t.Helper()
	if exitcode.Of(err) != exitcode.Usage {
		t.Fatalf("%q: %v (exit %d), want a usage error", args, err, exitcode.Of(err))
	}
}

// FuzzFilterFlags drives the filter flags of create/preview/run into a
// contract.Filter. A refusal must be a usage error; an accepted filter
// must hold only trimmed, non-empty, known (unless allowed) event types,
// no type both included and excluded, non-empty event ids, and a time
// window in UTC milliseconds whose start is not after its end.
func FuzzFilterFlags(f *testing.F) {
	f.Add("pod_failed,execution_failed", "pod_created", "1d12h", "2026-11-19", "e-1,e-2", false)
	f.Add(" pod_failed ", "", "2026-11-19T10:00:00Z", "now", "", false)
	f.Add("brand_new", "pod_failed,", "7d", "1d", "e-1,,e-2", true)
	f.Add("pod_failed", "pod_failed", "-2h", "yesterday", " ", false)
	f.Add("\"a,b\",c", "x\x00", "2026-02-30", "0", "\"", true)
	f.Fuzz(func(t *testing.T, types, excludes, since, until, ids string, allow bool) {
		args := []string{"--type=" + types, "--exclude-type=" + excludes, "--since=" + since, "--until=" + until, "--event-id=" + ids}
		cfg, ok := accepted(t, allow, args)
		if !ok {
			return
		}
		fl := cfg.Filter
		for _, list := range [][]string{fl.EventTypes, fl.ExcludeEventTypes, fl.EventIDs} {
			for _, v := range list {
				if v == "" || strings.TrimSpace(v) != v {
					t.Fatalf("%q: element %q not trimmed or empty", args, v)
				}
			}
		}
		for _, typ := range slices.Concat(fl.EventTypes, fl.ExcludeEventTypes) {
			if !allow && !contract.IsKnownEventType(typ) {
				t.Fatalf("%q: unknown type %q accepted", args, typ)
			}
		}
		for _, typ := range fl.EventTypes {
			if slices.Contains(fl.ExcludeEventTypes, typ) {
				t.Fatalf("%q: %q both included and excluded", args, typ)
			}
		}
		for _, tm := range []*time.Time{fl.StartTime, fl.EndTime} {
			if tm != nil && (tm.Location() != time.UTC || tm.Nanosecond()%int(time.Millisecond) != 0) {
				t.Fatalf("%q: time %v not UTC milliseconds", args, tm)
			}
		}
		if fl.StartTime != nil && fl.EndTime != nil && fl.StartTime.After(*fl.EndTime) {
			t.Fatalf("%q: start %v after end %v", args, fl.StartTime, fl.EndTime)
		}
	})
}

var legalTopic = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

// FuzzTopicMap drives --topic-map (TYPE=TOPIC, comma-separated) into the
// session's target_topics. A refusal must be a usage error; an accepted map
// must have known event types (unless allowed) mapped to legal Kafka topic
// names, and writing it back as a flag must give the same map.
func FuzzTopicMap(f *testing.F) {
	for _, s := range []string{
		"pod_failed=a,pod_created=b", " pod_failed = a ", "pod_failed=", "=a", "pod_failed", "pod_failed=a=b",
		"pod_failed=.", "pod_failed=..", "pod_failed=a b", `"pod_failed=a,b"`, "brand_new=x", "pod_failed=a,pod_failed=b",
		"pod_failed=" + strings.Repeat("t", 250), "\"", "a=\x00",
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, value string, allow bool) {
		cfg, ok := accepted(t, allow, []string{"--topic-map=" + value})
		if !ok {
			return
		}
		m := cfg.TargetTopics
		for typ, topic := range m {
			if !allow && !contract.IsKnownEventType(typ) {
				t.Fatalf("%q: unknown type %q accepted", value, typ)
			}
			if !legalTopic.MatchString(topic) || topic == "." || topic == ".." {
				t.Fatalf("%q: illegal topic %q accepted", value, topic)
			}
		}
		if len(m) == 0 {
			return
		}
		var parts []string
		for _, typ := range slices.Sorted(maps.Keys(m)) {
			parts = append(parts, typ+"="+m[typ])
		}
		again, ok := accepted(t, allow, []string{"--topic-map=" + strings.Join(parts, ",")})
		if !ok || !maps.Equal(again.TargetTopics, m) {
			t.Fatalf("%q: map %v written back as %q gives %v", value, m, strings.Join(parts, ","), again.TargetTopics)
		}
	})
}
