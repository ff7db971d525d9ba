package replaycmd

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

var fixedNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func flagFactory() *cmdutil.Factory {
	ios, _, _, _ := output.Test()
	return &cmdutil.Factory{IO: ios, Getenv: func(string) string { return "" }, Now: func() time.Time { return fixedNow }}
}

// parse runs a command with a fake run function and returns the options it
// received (nil when validation stopped it before the run).
func parse[T any](t *testing.T, newCmd func(*cmdutil.Factory, func(context.Context, *T) error) *cobra.Command, args ...string) (*T, error) {
	t.Helper()
	var got *T
	err := clitest.Execute(newCmd(flagFactory(), clitest.Capture(&got)), args...)
	return got, err
}

// wantUsage asserts err is a usage error (exit 2) mentioning every part,
// and that the run function was never reached.
func wantUsage[T any](t *testing.T, got *T, err error, parts ...string) {
	t.Helper()
	clitest.WantCode(t, err, exitcode.Usage, parts...)
	if got != nil {
		t.Errorf("run function was called despite the usage error")
	}
}

func TestCreateFlagsBuildSpec(t *testing.T) {
	o, err := parse(t, NewCmdCreate,
		"--type", "pod_created,pod_failed", "--type", " pod_deleted ", "--exclude-type", "pod_running",
		"--since", "2h", "--until", "1h", "--user-id", "u1", "--service", "api",
		"--topic-map", "pod_created=a,pod_failed=b", "--topic-map", "pod_deleted=c",
		"--speed", "2", "--rate", "500", "--batch-size", "50", "--max-events", "1000",
		"--fail-fast", "--retry-attempts", "5", "--preserve-timestamps", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	sp := o.Spec
	// The spec holds the types as typed; NewSession trims and checks them.
	if !reflect.DeepEqual(sp.Types, []string{"pod_created", "pod_failed", " pod_deleted "}) {
		t.Errorf("types = %q", sp.Types)
	}
	if !reflect.DeepEqual(sp.TopicMap, map[string]string{"pod_created": "a", "pod_failed": "b", "pod_deleted": "c"}) {
		t.Errorf("topic map = %v", sp.TopicMap)
	}
	if sp.Speed != 2 || sp.Rate != 500 || sp.BatchSize != 50 || sp.MaxEvents != 1000 || !sp.FailFast ||
		!sp.PreserveTimestamps || !sp.DryRun || sp.RetryAttempts == nil || *sp.RetryAttempts != 5 {
		t.Errorf("pacing = %+v", sp)
	}
	if sp.Since != "2h" || sp.Until != "1h" || sp.UserID != "u1" || sp.Service != "api" || sp.ExcludeTypes[0] != "pod_running" {
		t.Errorf("filter = %+v", sp)
	}
	if o.CreatedBy != "replayctl" {
		t.Errorf("created by = %q", o.CreatedBy)
	}
}

// Flags left at their defaults must not override a spec file's values.
func TestCreateFromFileFlagsOverride(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spec.yaml")
	spec := "types: [pod_created]\nbatch_size: 10\nretry_attempts: 7\ntopic_map: {pod_created: x, pod_failed: y}\n"
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := parse(t, NewCmdCreate, "--from-file", path, "--type", "pod_failed", "--topic-map", "pod_failed=z")
	if err != nil {
		t.Fatal(err)
	}
	sp := o.Spec
	if !reflect.DeepEqual(sp.Types, []string{"pod_failed"}) || sp.BatchSize != 10 || *sp.RetryAttempts != 7 {
		t.Errorf("spec = %+v", sp)
	}
	if !reflect.DeepEqual(sp.TopicMap, map[string]string{"pod_created": "x", "pod_failed": "z"}) {
		t.Errorf("topic map = %v", sp.TopicMap)
	}
	if sp.Target != "" {
		t.Errorf("target default leaked into the spec: %q", sp.Target)
	}
}

func TestCreateDefaultsLeaveSpecUnset(t *testing.T) {
	o, err := parse(t, NewCmdCreate)
	if err != nil {
		t.Fatal(err)
	}
	if o.Spec.RetryAttempts != nil || o.Spec.BatchSize != 0 || o.Start || o.Detach {
		t.Errorf("defaults = %+v", o)
	}
}

func TestCreateRejectsBadValues(t *testing.T) {
	dir := t.TempDir()
	unknownKey := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(unknownKey, []byte("types: [pod_created]\nspeeed: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		args  []string
		parts []string
	}{
		{"unknown type", []string{"--type", "pod_craeted"}, []string{"pod_craeted", "pod_created", "--allow-unknown-type"}},
		{"unknown excluded type", []string{"--exclude-type", "nope_nope"}, []string{"nope_nope"}},
		{"speed too high", []string{"--speed", "500"}, []string{"speed"}},
		{"speed too low", []string{"--speed", "0.01"}, []string{"speed"}},
		{"batch size zero", []string{"--batch-size", "0"}, []string{"batch-size"}},
		{"speed zero", []string{"--speed", "0"}, []string{"--speed"}},
		{"batch size too big", []string{"--batch-size", "1001"}, []string{"batch size"}},
		{"negative max events", []string{"--max-events", "-1"}, []string{"max events"}},
		{"negative rate", []string{"--rate", "-5"}, []string{"rate"}},
		{"negative retries", []string{"--retry-attempts", "-1"}, []string{"retry"}},
		{"file without out", []string{"--target", "file"}, []string{"--out"}},
		{"bad target", []string{"--target", "callback"}, []string{"callback"}},
		{"out for kafka", []string{"--out", "x.jsonl"}, []string{"target file"}},
		{"since after until", []string{"--since", "1h", "--until", "3h"}, []string{"after"}},
		{"bad since", []string{"--since", "yesterday"}, []string{"yesterday"}},
		{"bad replay type", []string{"--replay-type", "everything"}, []string{"everything"}},
		{"bad topic", []string{"--topic-map", "pod_created=bad topic!"}, []string{"bad topic!"}},
		{"topic map syntax", []string{"--topic-map", "pod_created"}, []string{"topic-map"}},
		{"not a number", []string{"--speed", "fast"}, []string{"speed"}},
		{"detach without start", []string{"--detach"}, []string{"--start"}},
		{"positional argument", []string{"extra"}, []string{"extra"}},
		{"unknown spec key", []string{"--from-file", unknownKey}, []string{"speeed"}},
		{"missing spec file", []string{"--from-file", filepath.Join(dir, "missing.yaml")}, []string{"missing.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(t, NewCmdCreate, tc.args...)
			wantUsage(t, got, err, tc.parts...)
		})
	}
}

func TestCreateAllowUnknownType(t *testing.T) {
	o, err := parse(t, NewCmdCreate, "--type", "brand_new_type", "--allow-unknown-type")
	if err != nil {
		t.Fatal(err)
	}
	if o.Spec.Types[0] != "brand_new_type" || !o.Spec.AllowUnknownType {
		t.Errorf("spec = %+v", o.Spec)
	}
}

func TestRunValidatesLikeCreate(t *testing.T) {
	got, err := parse(t, NewCmdRun, "--type", "pod_craeted")
	wantUsage(t, got, err, "pod_created")
	got, err = parse(t, NewCmdRun, "--target", "file")
	wantUsage(t, got, err, "--out")
	o, err := parse(t, NewCmdRun, "--target", "file", "--out", "-", "--fail-fast")
	if err != nil {
		t.Fatal(err)
	}
	if o.Spec.Out != "-" || !o.Spec.FailFast || o.Spec.Target != contract.TargetFile {
		t.Errorf("spec = %+v", o.Spec)
	}
}

func TestListFlags(t *testing.T) {
	o, err := parse(t, NewCmdList, "--status", "running,Paused", "--status", "failed", "--limit", "5")
	if err != nil {
		t.Fatal(err)
	}
	want := []contract.SessionStatus{contract.StatusRunning, contract.StatusPaused, contract.StatusFailed}
	if !reflect.DeepEqual(o.Statuses, want) || o.Limit != 5 {
		t.Errorf("options = %+v", o)
	}
	o, err = parse(t, NewCmdList)
	if err != nil || o.Limit != 20 || len(o.Statuses) != 0 {
		t.Errorf("defaults = %+v, %v", o, err)
	}
	got, err := parse(t, NewCmdList, "--status", "finished")
	wantUsage(t, got, err, "finished", "completed, failed, cancelled")
	got, err = parse(t, NewCmdList, "--limit", "0")
	wantUsage(t, got, err, "--limit")
	got, err = parse(t, NewCmdList, "abc")
	wantUsage(t, got, err, "abc")
}

func TestIDCommandsTakeOneArgument(t *testing.T) {
	for name, run := range map[string]func(...string) (bool, error){
		"show":   func(a ...string) (bool, error) { o, err := parse(t, NewCmdShow, a...); return o != nil, err },
		"start":  func(a ...string) (bool, error) { o, err := parse(t, NewCmdStart, a...); return o != nil, err },
		"pause":  func(a ...string) (bool, error) { o, err := parse(t, NewCmdPause, a...); return o != nil, err },
		"resume": func(a ...string) (bool, error) { o, err := parse(t, NewCmdResume, a...); return o != nil, err },
		"cancel": func(a ...string) (bool, error) { o, err := parse(t, NewCmdCancel, a...); return o != nil, err },
		"watch":  func(a ...string) (bool, error) { o, err := parse(t, NewCmdWatch, a...); return o != nil, err },
	} {
		t.Run(name, func(t *testing.T) {
			for _, args := range [][]string{nil, {"a", "b"}} {
				ran, err := run(args...)
				if cmdutil.ExitCode(err) != exitcode.Usage || ran {
					t.Errorf("%v: ran=%v err=%v, want usage error", args, ran, err)
				}
			}
			if ran, err := run("3f1c"); err != nil || !ran {
				t.Errorf("one id: ran=%v err=%v", ran, err)
			}
		})
	}
}

func TestStartResumeDetach(t *testing.T) {
	s, err := parse(t, NewCmdStart, "3f1c", "--detach")
	if err != nil || s.ID != "3f1c" || !s.Detach {
		t.Errorf("start = %+v, %v", s, err)
	}
	r, err := parse(t, NewCmdResume, "3f1c")
	if err != nil || r.ID != "3f1c" || r.Detach {
		t.Errorf("resume = %+v, %v", r, err)
	}
}

func TestWatchInterval(t *testing.T) {
	o, err := parse(t, NewCmdWatch, "3f1c")
	if err != nil || o.Interval != time.Second {
		t.Errorf("default = %+v, %v", o, err)
	}
	o, err = parse(t, NewCmdWatch, "3f1c", "--interval", "5s")
	if err != nil || o.Interval != 5*time.Second {
		t.Errorf("5s = %+v, %v", o, err)
	}
	got, err := parse(t, NewCmdWatch, "3f1c", "--interval", "1ms")
	wantUsage(t, got, err, "--interval")
	got, err = parse(t, NewCmdWatch, "3f1c", "--interval", "soon")
	wantUsage(t, got, err, "soon")
}

func TestPreviewFlags(t *testing.T) {
	o, err := parse(t, NewCmdPreview)
	if err != nil || o.Sample != 5 || o.ID != "" {
		t.Errorf("defaults = %+v, %v", o, err)
	}
	o, err = parse(t, NewCmdPreview, "3f1c", "--sample", "0")
	if err != nil || o.ID != "3f1c" || o.Sample != 0 {
		t.Errorf("by id = %+v, %v", o, err)
	}
	o, err = parse(t, NewCmdPreview, "--type", "pod_created", "--sample", "100")
	if err != nil || o.Spec.Types[0] != "pod_created" || o.Sample != 100 {
		t.Errorf("by flags = %+v, %v", o, err)
	}
	got, err := parse(t, NewCmdPreview, "3f1c", "--type", "pod_created")
	wantUsage(t, got, err, "not both")
	got, err = parse(t, NewCmdPreview, "--sample", "101")
	wantUsage(t, got, err, "--sample")
	got, err = parse(t, NewCmdPreview, "--sample", "-1")
	wantUsage(t, got, err, "--sample")
	got, err = parse(t, NewCmdPreview, "--type", "pod_craeted")
	wantUsage(t, got, err, "pod_created")
	got, err = parse(t, NewCmdPreview, "a", "b")
	if cmdutil.ExitCode(err) != exitcode.Usage || got != nil {
		t.Errorf("two args: %v", err)
	}
}

func TestCleanupFlags(t *testing.T) {
	cases := map[string]time.Duration{"7d": 7 * 24 * time.Hour, "36h": 36 * time.Hour, "2w": 14 * 24 * time.Hour, "1.5d": 36 * time.Hour}
	for in, want := range cases {
		o, err := parse(t, NewCmdCleanup, "--older-than", in, "--dry-run", "-y")
		if err != nil || o.OlderThan != want || !o.DryRun || !o.Yes {
			t.Errorf("%s: %+v, %v", in, o, err)
		}
	}
	for _, bad := range []string{"0d", "-1h", "abc", "7x", "d"} {
		got, err := parse(t, NewCmdCleanup, "--older-than", bad)
		wantUsage(t, got, err, "--older-than")
	}
	got, err := parse(t, NewCmdCleanup)
	wantUsage(t, got, err, "--older-than")
}

func TestNewCmdReplayWiresEveryVerb(t *testing.T) {
	cmd := NewCmdReplay(flagFactory())
	var names []string
	for _, c := range cmd.Commands() {
		names = append(names, c.Name())
		if c.Short == "" || c.Long == "" || c.Example == "" {
			t.Errorf("%s lacks Short, Long or Example", c.Name())
		}
		if f := c.Flags().Lookup("debug"); f == nil || !f.Hidden {
			t.Errorf("%s lacks the hidden --debug flag", c.Name())
		}
	}
	want := []string{"cancel", "cleanup", "create", "list", "pause", "preview", "resume", "run", "show", "start", "verify", "watch"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("verbs = %v, want %v", names, want)
	}
}

func TestFlagCompletions(t *testing.T) {
	cmd := NewCmdCreate(flagFactory(), nil)
	complete := func(flag, prefix string) []string {
		fn, ok := cmd.GetFlagCompletionFunc(flag)
		if !ok {
			t.Fatalf("no completion for --%s", flag)
		}
		got, _ := fn(cmd, nil, prefix)
		out := make([]string, len(got))
		for i, c := range got {
			out[i] = string(c)
		}
		return out
	}
	if got := complete("type", "pod_r"); !reflect.DeepEqual(got, []string{"pod_running"}) {
		t.Errorf("--type pod_r: %v", got)
	}
	if got := complete("type", "pod_created,pod_s"); !reflect.DeepEqual(got, []string{"pod_created,pod_scheduled", "pod_created,pod_succeeded"}) {
		t.Errorf("--type after a comma: %v", got)
	}
	if got := complete("target", ""); !reflect.DeepEqual(got, []string{"kafka", "file"}) {
		t.Errorf("--target: %v", got)
	}
	list := NewCmdList(flagFactory(), nil)
	fn, _ := list.GetFlagCompletionFunc("status")
	if got, _ := fn(list, nil, ""); len(got) != len(contract.SessionStatuses) {
		t.Errorf("--status: %v", got)
	}
}
