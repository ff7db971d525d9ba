package replaycmd

import (
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// strictKafka points the env at a private cluster that, like production
// ones, never creates topics on demand and has only the given ones
// (prefixed); the client does not ask for auto-creation either.
func (e *testEnv) strictKafka(types ...string) {
	e.t.Helper()
	topics := make([]string, len(types))
	for i, typ := range types {
		topics[i] = e.Prefix + typ
	}
	c := testenv.StrictKafka(e.t, 1, topics...)
	e.Vars[config.EnvKafkaBrokers] = strings.Join(c.ListenAddrs(), ",")
	e.Vars[config.EnvKafkaAutoCreateTopics] = "false"
}

// With auto-creation off, `replay run` to a topic that does not exist is
// refused before anything is written or sent: exit 1, naming the topic and
// the fix.
func TestRunRefusesMissingTopicBeforeSending(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(30, "pod_running", "pod_created")
	e.strictKafka("pod_created")

	r := e.run("run", "--type", "pod_running,pod_created").Want(t, exitcode.Error)
	for _, want := range []string{e.Prefix + "pod_running (for pod_running)", "nothing was sent", "--topic-map", "--allow-missing-topics"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.Stderr)
		}
	}
	if strings.Contains(r.Stderr, e.Prefix+"pod_created (") {
		t.Errorf("names a topic that exists:\n%s", r.Stderr)
	}
	if n := e.sessionCount(); n != 0 {
		t.Errorf("%d session(s) stored; a refused run must write nothing", n)
	}

	// Mapping the type to a topic that exists is the other fix.
	e.run("run", "--type", "pod_running", "--topic-map", "pod_running="+e.Prefix+"pod_created").Want(t, exitcode.OK)
}

// start (foreground and --detach) and resume refuse the same way, and the
// session keeps its status.
func TestStartAndResumeRefuseMissingTopic(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(10, "pod_running")
	id := firstLine(e.run("create", "--type", "pod_running").Want(t, exitcode.OK).Stdout)
	// Paused while the shared stack's topics appear on demand, resumed
	// against a cluster without its topic.
	paused := firstLine(e.run("create", "--type", "pod_running").Want(t, exitcode.OK).Stdout)
	e.run("start", paused, "--detach").Want(t, exitcode.OK)
	e.run("pause", paused).Want(t, exitcode.OK)
	e.strictKafka()

	for _, args := range [][]string{{"start", id}, {"start", id, "--detach"}} {
		r := e.run(args...).Want(t, exitcode.Error)
		if !strings.Contains(r.Stderr, e.Prefix+"pod_running (for pod_running)") || !strings.Contains(r.Stderr, "--allow-missing-topics") {
			t.Errorf("%v: stderr:\n%s", args, r.Stderr)
		}
		if s := e.session(id); s.Status != contract.StatusCreated {
			t.Fatalf("%v: session is %s, want still created", args, s.Status)
		}
	}

	r := e.run("resume", paused).Want(t, exitcode.Error)
	if !strings.Contains(r.Stderr, e.Prefix+"pod_running") {
		t.Errorf("resume stderr:\n%s", r.Stderr)
	}
	if s := e.session(paused); s.Status != contract.StatusPaused {
		t.Fatalf("resume: session is %s, want still paused", s.Status)
	}
}

// --allow-missing-topics runs anyway: events to the missing topic fail one
// by one (exit 6 for run), and the final message names the topic and the
// broker's error code.
func TestAllowMissingTopicsRunsAndNamesTopicAndCode(t *testing.T) {
	e := newTestEnv(t)
	e.seedEvents(20, "pod_running", "pod_created")
	e.strictKafka("pod_created")

	r := e.run("run", "--allow-missing-topics", "--retry-attempts", "0").Want(t, exitcode.Partial)
	topic := e.Prefix + "pod_running"
	if !strings.Contains(r.Stderr, "completed with 10 failed event(s): publish to "+topic+": UNKNOWN_TOPIC_OR_PARTITION") {
		t.Errorf("final message does not name the topic and the code:\n%s", r.Stderr)
	}

	// start --allow-missing-topics records the choice for a worker.
	id := firstLine(e.run("create", "--type", "pod_running").Want(t, exitcode.OK).Stdout)
	e.run("start", id, "--detach", "--allow-missing-topics").Want(t, exitcode.OK)
	if s := e.session(id); s.Status != contract.StatusRunning || s.Replayctl == nil || !s.Replayctl.AllowMissingTopics {
		t.Fatalf("session %s: status %s ext %+v, want running with allow_missing_topics", id, s.Status, s.Replayctl)
	}
}
