package replay

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/flagvalue"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func intp(n int) *int { return &n }

func TestNewSessionDefaults(t *testing.T) {
	s, err := NewSession(Spec{}, now, "alice")
	if err != nil {
		t.Fatal(err)
	}
	c := s.Config
	if s.Status != contract.StatusCreated || !s.CreatedAt.Equal(now) || *s.CreatedBy != "alice" ||
		len(s.SessionID) != 36 || len(s.ReplayID) != 36 || s.SessionID == s.ReplayID {
		t.Fatalf("session %+v", s)
	}
	if c.Target != contract.TargetKafka || c.SpeedMultiplier != 100 || c.BatchSize != 100 || !c.SkipErrors ||
		c.RetryAttempts != 3 || c.MaxEvents != nil || c.ReplayType != contract.ReplayTypeQuery || !c.Filter.Empty() {
		t.Fatalf("config %+v", c)
	}
	if s.Errors == nil || s.TriggeredExecutions == nil {
		t.Fatal("lists must be empty, not null, as the platform stores them")
	}
}

func TestNewSessionMapsEveryField(t *testing.T) {
	spec := Spec{
		Types: []string{"execution_completed", " execution_failed", "execution_completed"}, ExcludeTypes: []string{"pod_created"},
		EventIDs: []string{"e1"}, Since: "2h", Until: "2026-11-25T11:00:00Z", AggregateID: "agg", UserID: "u", Service: "api",
		Target: "kafka", TopicMap: map[string]string{"execution_failed": "failures.v1"}, Speed: 2, Rate: 50,
		PreserveTimestamps: true, BatchSize: 1000, MaxEvents: 10, FailFast: true, RetryAttempts: intp(0), DryRun: true,
	}
	s, err := NewSession(spec, now, "")
	if err != nil {
		t.Fatal(err)
	}
	c, f := s.Config, s.Config.Filter
	if strings.Join(f.EventTypes, ",") != "execution_completed,execution_failed" || f.ExcludeEventTypes[0] != "pod_created" ||
		f.EventIDs[0] != "e1" || *f.AggregateID != "agg" || *f.UserID != "u" || *f.ServiceName != "api" || f.ExecutionID != nil {
		t.Fatalf("filter %+v", f)
	}
	if !f.StartTime.Equal(now.Add(-2*time.Hour)) || !f.EndTime.Equal(now.Add(-time.Hour)) {
		t.Fatalf("window %v..%v", f.StartTime, f.EndTime)
	}
	if c.TargetTopics["execution_failed"] != "failures.v1" || c.SpeedMultiplier != 2 || !c.PreserveTimestamps ||
		c.BatchSize != 1000 || *c.MaxEvents != 10 || c.SkipErrors || c.RetryAttempts != 0 || !s.DryRun ||
		s.Replayctl.RateLimit != 50 || s.CreatedBy != nil || c.ReplayType != contract.ReplayTypeQuery {
		t.Fatalf("config %+v", c)
	}
}

func TestNewSessionFileTargetPath(t *testing.T) {
	s, err := NewSession(Spec{Target: "file", Out: "out.jsonl"}, now, "")
	if err != nil {
		t.Fatal(err)
	}
	if p := *s.Config.TargetFilePath; !filepath.IsAbs(p) || filepath.Base(p) != "out.jsonl" {
		t.Fatalf("path %q should be absolute: a worker may run it elsewhere", p)
	}
	s, err = NewSession(Spec{Target: "FILE", Out: "-"}, now, "")
	if err != nil || *s.Config.TargetFilePath != "-" || s.Config.Target != contract.TargetFile {
		t.Fatalf("stdout target: %+v %v", s, err)
	}
}

func TestNewSessionRejectsBadValues(t *testing.T) {
	cases := map[string]struct {
		spec Spec
		want string
	}{
		"unknown type":          {Spec{Types: []string{"execution_complete"}}, `invalid value "execution_complete" for --type: unknown event type; did you mean execution_completed`},
		"unknown exclude":       {Spec{ExcludeTypes: []string{"pod_creatd"}}, "pod_created"},
		"empty type":            {Spec{Types: []string{" "}}, "for --type: empty element"},
		"include and exclude":   {Spec{Types: []string{"pod_created"}, ExcludeTypes: []string{"pod_created"}}, "both included and excluded"},
		"empty event id":        {Spec{EventIDs: []string{""}}, "for --event-id: empty element"},
		"bad since":             {Spec{Since: "yesterday"}, `invalid value "yesterday" for --since`},
		"since after until":     {Spec{Since: "1h", Until: "2h"}, "is after until"},
		"bad target":            {Spec{Target: "callback"}, `invalid target "callback"`},
		"file without out":      {Spec{Target: "file"}, "needs an output path"},
		"out without file":      {Spec{Out: "x.jsonl"}, "only for target file"},
		"topic map on file":     {Spec{Target: "file", Out: "-", TopicMap: map[string]string{"pod_created": "t"}}, "only for target kafka"},
		"topic map bad type":    {Spec{TopicMap: map[string]string{"pod_creatd": "t"}}, "pod_created"},
		"topic map bad topic":   {Spec{TopicMap: map[string]string{"pod_created": "a topic"}}, `invalid topic "a topic"`},
		"topic map empty topic": {Spec{TopicMap: map[string]string{"pod_created": ""}}, `invalid topic ""`},
		"speed too low":         {Spec{Speed: 0.05}, "invalid speed 0.05"},
		"speed too high":        {Spec{Speed: 101}, "invalid speed 101"},
		"negative speed":        {Spec{Speed: -1}, "invalid speed -1"},
		"negative rate":         {Spec{Rate: -5}, "invalid rate -5"},
		"batch too big":         {Spec{BatchSize: 1001}, "invalid batch size 1001"},
		"negative batch":        {Spec{BatchSize: -1}, "invalid batch size -1"},
		"negative max events":   {Spec{MaxEvents: -1}, "invalid max events -1"},
		"negative retries":      {Spec{RetryAttempts: intp(-1)}, "invalid retry attempts -1"},
		"bad replay type":       {Spec{ReplayType: "everything"}, `invalid replay type "everything"`},
	}
	for name, c := range cases {
		_, err := NewSession(c.spec, now, "")
		if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v (kind %v), want an invalid-input error containing %q", name, err, fault.KindOf(err), c.want)
		}
	}
	_, err := NewSession(Spec{Types: []string{"brand_new_type"}}, now, "")
	if !errors.As(err, new(*flagvalue.UnknownTypeError)) {
		t.Errorf("unknown type: %v, want a *flagvalue.UnknownTypeError", err)
	}
}

func TestNewSessionAllowsUnknownTypeWhenAsked(t *testing.T) {
	spec := Spec{Types: []string{"brand_new_type"}, TopicMap: map[string]string{"brand_new_type": "new"}, AllowUnknownType: true}
	s, err := NewSession(spec, now, "")
	if err != nil || s.Config.Filter.EventTypes[0] != "brand_new_type" || s.Config.ReplayType != contract.ReplayTypeEventType {
		t.Fatalf("%+v %v", s, err)
	}
}

func TestReplayTypeDerivation(t *testing.T) {
	cases := []struct {
		spec Spec
		want string
	}{
		{Spec{}, contract.ReplayTypeQuery},
		{Spec{ExecutionID: "x", Types: []string{"pod_created"}}, contract.ReplayTypeExecution},
		{Spec{Types: []string{"pod_created"}}, contract.ReplayTypeEventType},
		{Spec{ExcludeTypes: []string{"pod_created"}}, contract.ReplayTypeEventType},
		{Spec{Since: "2h"}, contract.ReplayTypeTimeRange},
		{Spec{Since: "2h", Until: "1h"}, contract.ReplayTypeTimeRange},
		{Spec{Since: "2h", Types: []string{"pod_created"}}, contract.ReplayTypeQuery},
		{Spec{UserID: "u"}, contract.ReplayTypeQuery},
		{Spec{Types: []string{"pod_created"}, ReplayType: "Recovery"}, contract.ReplayTypeRecovery},
	}
	for _, c := range cases {
		s, err := NewSession(c.spec, now, "")
		if err != nil || s.Config.ReplayType != c.want {
			t.Errorf("%+v: replay type %v, %v; want %s", c.spec, s.Config.ReplayType, err, c.want)
		}
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadSpecFileYAMLAndJSON(t *testing.T) {
	y := writeFile(t, "spec.yaml", `
types: [execution_completed, execution_failed]
since: 7d
target: file
out: /tmp/x.jsonl
topic_map: {pod_created: pods}
speed: 2.5
retry_attempts: 0
fail_fast: true
max_events: 1000
`)
	sp, err := LoadSpecFile(y)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Types) != 2 || sp.Since != "7d" || sp.Target != "file" || sp.TopicMap["pod_created"] != "pods" ||
		sp.Speed != 2.5 || sp.RetryAttempts == nil || *sp.RetryAttempts != 0 || !sp.FailFast || sp.MaxEvents != 1000 {
		t.Fatalf("yaml spec %+v", sp)
	}
	j := writeFile(t, "spec.json", `{"execution_id": "ex-1", "dry_run": true, "rate": 100, "batch_size": 10}`)
	sp, err = LoadSpecFile(j)
	if err != nil || sp.ExecutionID != "ex-1" || !sp.DryRun || sp.Rate != 100 || sp.BatchSize != 10 || sp.RetryAttempts != nil {
		t.Fatalf("json spec %+v %v", sp, err)
	}
	if sp, err := LoadSpecFile(writeFile(t, "empty.yaml", "")); err != nil || sp.Target != "" {
		t.Fatalf("empty spec %+v %v", sp, err)
	}
}

func TestLoadSpecFileErrors(t *testing.T) {
	p := writeFile(t, "bad.yaml", "types: [pod_created]\nspeeed: 2\n")
	_, err := LoadSpecFile(p)
	var keyErr *SpecKeyError
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), `line 2: unknown key "speeed"`) ||
		!errors.As(err, &keyErr) || keyErr.Key != "speeed" {
		t.Fatalf("unknown key: %v", err)
	}
	_, err = LoadSpecFile(writeFile(t, "typed.yaml", "speed: fast\n"))
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("ill-typed value: %v", err)
	}
	_, err = LoadSpecFile(filepath.Join(t.TempDir(), "missing.yaml"))
	if fault.KindOf(err) != fault.Invalid {
		t.Fatalf("missing file: %v", err)
	}
}
