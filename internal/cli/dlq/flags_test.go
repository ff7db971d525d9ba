package dlqcmd

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestListFlags(t *testing.T) {
	since2h, since7d := testNow.Add(-2*time.Hour), testNow.Add(-7*24*time.Hour)
	abs := time.Date(2024, 4, 30, 8, 0, 0, 0, time.UTC)
	ok := []struct {
		name string
		args []string
		want dlq.ListFilter
		inv  bool
	}{
		{"defaults", nil, dlq.ListFilter{Limit: 50}, false},
		{"statuses repeat and comma", []string{"--status", "pending,SCHEDULED", "--status", "retried", "--status", "pending"},
			dlq.ListFilter{Statuses: []contract.DLQStatus{"pending", "scheduled", "retried"}, Limit: 50}, false},
		{"topics and types", []string{"--topic", "a", "--topic", "b, a", "--type", "execution_failed,pod_failed"},
			dlq.ListFilter{Topics: []string{"a", "b"}, EventTypes: []string{"execution_failed", "pod_failed"}, Limit: 50}, false},
		{"unknown type allowed", []string{"--type", "brand_new_type", "--allow-unknown-type"},
			dlq.ListFilter{EventTypes: []string{"brand_new_type"}, Limit: 50}, false},
		{"relative since, days until", []string{"--since", "7d", "--until", "2h"},
			dlq.ListFilter{Since: &since7d, Until: &since2h, Limit: 50}, false},
		{"absolute since", []string{"--since", "2024-04-30T08:00:00Z", "--error", " Timeout "},
			dlq.ListFilter{Since: &abs, ErrorContains: "Timeout", Limit: 50}, false},
		{"paging", []string{"--limit", "10", "--offset", "20"}, dlq.ListFilter{Limit: 10, Offset: 20}, false},
		{"invalid with paging", []string{"--invalid", "--limit", "5"}, dlq.ListFilter{Limit: 5}, true},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			var got *ListOptions
			err := clitest.Execute(NewCmdList(flagFactory(), clitest.Capture(&got)), c.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Filter, c.want) || got.Invalid != c.inv {
				t.Errorf("filter = %+v invalid=%v, want %+v invalid=%v", got.Filter, got.Invalid, c.want, c.inv)
			}
		})
	}
	bad := []struct {
		name      string
		args      []string
		fragments []string
	}{
		{"unknown status", []string{"--status", "done"}, []string{`"done"`, "pending, scheduled, retried, discarded"}},
		{"unknown type", []string{"--type", "execution_faild"}, []string{"execution_failed", "--allow-unknown-type"}},
		{"malformed since", []string{"--since", "yesterday"}, []string{"--since", "yesterday"}},
		{"negative age", []string{"--until", "-2h"}, []string{"--until"}},
		{"since after until", []string{"--since", "1h", "--until", "2h"}, []string{"after --until"}},
		{"zero limit", []string{"--limit", "0"}, []string{"--limit"}},
		{"negative limit", []string{"--limit", "-3"}, []string{"--limit"}},
		{"negative offset", []string{"--offset", "-1"}, []string{"--offset"}},
		{"non-numeric limit", []string{"--limit", "ten"}, nil},
		{"invalid with filters", []string{"--invalid", "--status", "pending"}, []string{"--invalid"}},
		{"positional", []string{"abc"}, []string{"abc"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			err := clitest.Execute(NewCmdList(flagFactory(), func(context.Context, *ListOptions) error { return errRan }), c.args...)
			clitest.WantCode(t, err, exitcode.Usage, c.fragments...)
		})
	}
}

func TestShowArgs(t *testing.T) {
	var got string
	run := func(_ context.Context, o *ShowOptions) error { got = o.EventID; return nil }
	if err := clitest.Execute(NewCmdShow(flagFactory(), run), "3f2a9c1e"); err != nil || got != "3f2a9c1e" {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, args := range [][]string{nil, {"a", "b"}, {"  "}} {
		clitest.WantCode(t, clitest.Execute(NewCmdShow(flagFactory(), run), args...), exitcode.Usage)
	}
}

func TestTopicsAndErrorsFlags(t *testing.T) {
	var topics *TopicsOptions
	if err := clitest.Execute(NewCmdTopics(flagFactory(), clitest.Capture(&topics)),
		"--status", "pending", "--limit", "3"); err != nil {
		t.Fatal(err)
	}
	if topics.Filter.Limit != 3 || len(topics.Filter.Statuses) != 1 {
		t.Errorf("topics filter = %+v", topics.Filter)
	}
	var errs *ErrorsOptions
	run := clitest.Capture(&errs)
	if err := clitest.Execute(NewCmdErrors(flagFactory(), run)); err != nil || errs.Sort != sortLastSeen || errs.Filter.Limit != 0 {
		t.Fatalf("defaults: %+v %v", errs, err)
	}
	if err := clitest.Execute(NewCmdErrors(flagFactory(), run), "--sort", "count"); err != nil || errs.Sort != sortCount {
		t.Fatalf("--sort count: %v", err)
	}
	clitest.WantCode(t, clitest.Execute(NewCmdErrors(flagFactory(), run), "--sort", "size"), exitcode.Usage, "last-seen, count")
	clitest.WantCode(t, clitest.Execute(NewCmdTopics(flagFactory(), nil), "--status", "nope"), exitcode.Usage, "nope")
}

func TestRetryFlags(t *testing.T) {
	var got *RetryOptions
	run := clitest.Capture(&got)
	if err := clitest.Execute(NewCmdRetry(flagFactory(), run), "abc", "def", "abc", "--to-topic", "other", "--rate", "5", "-y"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.IDs, []string{"abc", "def"}) || got.ToTopic != "other" || got.Rate != 5 || !got.Yes || got.All {
		t.Errorf("by ids: %+v", got)
	}
	if err := clitest.Execute(NewCmdRetry(flagFactory(), run), "--all", "--status", "pending", "--limit", "10", "--dry-run"); err != nil {
		t.Fatal(err)
	}
	if !got.All || !got.DryRun || got.Filter.Limit != 10 || len(got.Filter.Statuses) != 1 || len(got.IDs) != 0 {
		t.Errorf("by filter: %+v", got)
	}
	bad := []struct {
		name      string
		args      []string
		fragments []string
	}{
		{"bare", nil, []string{"--all"}},
		{"filters without --all", []string{"--status", "pending"}, []string{"--all"}},
		{"ids and --all", []string{"abc", "--all"}, []string{"not both"}},
		{"ids and filters", []string{"abc", "--topic", "t"}, []string{"not both"}},
		{"ids and paging", []string{"abc", "--limit", "5"}, []string{"not both"}},
		{"zero rate", []string{"abc", "--rate", "0"}, []string{"--rate"}},
		{"negative rate", []string{"abc", "--rate", "-1"}, []string{"--rate"}},
		{"empty to-topic", []string{"abc", "--to-topic", " "}, []string{"--to-topic"}},
		{"bad status", []string{"--all", "--status", "new"}, []string{`"new"`}},
		{"zero limit", []string{"--all", "--limit", "0"}, []string{"--limit"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			clitest.WantCode(t, clitest.Execute(NewCmdRetry(flagFactory(), func(context.Context, *RetryOptions) error { return errRan }), c.args...), exitcode.Usage, c.fragments...)
		})
	}
}

func TestDiscardFlags(t *testing.T) {
	var got *DiscardOptions
	run := clitest.Capture(&got)
	if err := clitest.Execute(NewCmdDiscard(flagFactory(), run), "abc", "--reason", "  fixed by hand "); err != nil {
		t.Fatal(err)
	}
	if got.Reason != "fixed by hand" || len(got.IDs) != 1 {
		t.Errorf("got %+v", got)
	}
	clitest.WantCode(t, clitest.Execute(NewCmdDiscard(flagFactory(), run), "abc"), exitcode.Usage, "--reason")
	clitest.WantCode(t, clitest.Execute(NewCmdDiscard(flagFactory(), run), "abc", "--reason", "  "), exitcode.Usage, "--reason")
	clitest.WantCode(t, clitest.Execute(NewCmdDiscard(flagFactory(), run), "--reason", "x"), exitcode.Usage, "--all")
	clitest.WantCode(t, clitest.Execute(NewCmdDiscard(flagFactory(), run), "--to-topic", "x", "abc", "--reason", "x"), exitcode.Usage)
}

func TestPolicySetFlags(t *testing.T) {
	var got *PolicySetOptions
	run := clitest.Capture(&got)
	err := clitest.Execute(NewCmdPolicySet(flagFactory(), run), "pod_failed", "--strategy", "Fixed_Interval",
		"--base-delay", "90", "--max-delay", "5m", "--max-retries", "0", "--jitter", "0.5", "--multiplier", "1.5")
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic != "pod_failed" || got.Strategy != dlq.StrategyFixed || *got.BaseDelay != 90*time.Second ||
		*got.MaxDelay != 5*time.Minute || *got.MaxRetries != 0 || *got.Jitter != 0.5 || *got.Multiplier != 1.5 {
		t.Errorf("got %+v", got)
	}
	if err := clitest.Execute(NewCmdPolicySet(flagFactory(), run), "t", "--strategy", "manual"); err != nil {
		t.Fatal(err)
	}
	if got.MaxRetries != nil || got.BaseDelay != nil || got.MaxDelay != nil || got.Multiplier != nil || got.Jitter != nil {
		t.Errorf("unset flags must stay nil: %+v", got)
	}
	bad := []struct {
		name      string
		args      []string
		fragments []string
	}{
		{"no strategy", []string{"t"}, []string{"--strategy", "exponential_backoff"}},
		{"unknown strategy", []string{"t", "--strategy", "linear"}, []string{`"linear"`, "immediate, exponential_backoff, fixed_interval, scheduled, manual"}},
		{"negative retries", []string{"t", "--strategy", "manual", "--max-retries", "-1"}, []string{"--max-retries"}},
		{"negative delay", []string{"t", "--strategy", "manual", "--base-delay", "-5s"}, []string{"--base-delay"}},
		{"malformed delay", []string{"t", "--strategy", "manual", "--max-delay", "soon"}, []string{"--max-delay", "soon"}},
		{"jitter above 1", []string{"t", "--strategy", "manual", "--jitter", "1.5"}, []string{"--jitter"}},
		{"negative jitter", []string{"t", "--strategy", "manual", "--jitter", "-0.1"}, []string{"--jitter"}},
		{"negative multiplier", []string{"t", "--strategy", "manual", "--multiplier", "-2"}, []string{"--multiplier"}},
		{"max below base", []string{"t", "--strategy", "fixed_interval", "--base-delay", "1m", "--max-delay", "10s"}, []string{"below"}},
		{"unknown type", []string{"t", "--strategy", "manual", "--type", "pod_faild"}, []string{"pod_failed"}},
		{"no topic", []string{"--strategy", "manual"}, []string{"TOPIC"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			clitest.WantCode(t, clitest.Execute(NewCmdPolicySet(flagFactory(), func(context.Context, *PolicySetOptions) error { return errRan }), c.args...), exitcode.Usage, c.fragments...)
		})
	}
}

func TestPolicyShowAndUnsetArgs(t *testing.T) {
	var show *PolicyShowOptions
	if err := clitest.Execute(NewCmdPolicyShow(flagFactory(), clitest.Capture(&show)),
		"payments", "--type", "execution_failed"); err != nil {
		t.Fatal(err)
	}
	if show.Topic != "payments" || show.EventType != "execution_failed" {
		t.Errorf("got %+v", show)
	}
	clitest.WantCode(t, clitest.Execute(NewCmdPolicyShow(flagFactory(), nil), "payments", "--type", "payment"), exitcode.Usage, "--allow-unknown-type")
	clitest.WantCode(t, clitest.Execute(NewCmdPolicyShow(flagFactory(), nil)), exitcode.Usage)
	var unset *PolicyUnsetOptions
	if err := clitest.Execute(NewCmdPolicyUnset(flagFactory(), clitest.Capture(&unset)), "t1"); err != nil || unset.Topic != "t1" {
		t.Fatalf("unset: %+v %v", unset, err)
	}
	clitest.WantCode(t, clitest.Execute(NewCmdPolicyUnset(flagFactory(), nil), "a", "b"), exitcode.Usage)
}

func TestProcessFlags(t *testing.T) {
	var got *ProcessOptions
	run := clitest.Capture(&got)
	if err := clitest.Execute(NewCmdProcess(flagFactory(), run)); err != nil {
		t.Fatal(err)
	}
	if got.Group != defaultGroup || got.PollInterval != defaultPollInterval || got.Once {
		t.Errorf("defaults: %+v", got)
	}
	if err := clitest.Execute(NewCmdProcess(flagFactory(), run), "--once", "--group", "g2", "--poll-interval", "250ms"); err != nil {
		t.Fatal(err)
	}
	if got.Group != "g2" || got.PollInterval != 250*time.Millisecond || !got.Once {
		t.Errorf("flags: %+v", got)
	}
	clitest.WantCode(t, clitest.Execute(NewCmdProcess(flagFactory(), run), "--poll-interval", "0s"), exitcode.Usage, "--poll-interval")
	clitest.WantCode(t, clitest.Execute(NewCmdProcess(flagFactory(), run), "--group", " "), exitcode.Usage, "--group")
	clitest.WantCode(t, clitest.Execute(NewCmdProcess(flagFactory(), run), "--poll-interval", "often"), exitcode.Usage)
}

func TestDebugFlagIsHiddenAndInherited(t *testing.T) {
	root := NewCmdDLQ(flagFactory())
	if fl := root.PersistentFlags().Lookup("debug"); fl == nil || !fl.Hidden {
		t.Fatal("--debug should be a hidden persistent flag")
	}
	var debug bool
	for _, c := range root.Commands() {
		if c.Name() == "process" {
			c.RunE = func(cmd *cobra.Command, _ []string) error { debug = debugEnabled(cmd); return nil }
		}
	}
	root.SetArgs([]string{"process", "--debug"})
	if err := root.Execute(); err != nil || !debug {
		t.Fatalf("debug = %v, err %v", debug, err)
	}
}
