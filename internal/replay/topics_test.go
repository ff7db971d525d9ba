package replay

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// strictService is a Service whose producer talks to a cluster that never
// creates topics on demand, as production clusters are configured.
func (e *env) strictService(owner string, topics ...string) *Service {
	e.t.Helper()
	svc, _ := e.strictCluster(owner, topics...)
	return svc
}

// strictCluster is strictService and its cluster, for injecting errors.
func (e *env) strictCluster(owner string, topics ...string) (*Service, *kfake.Cluster) {
	e.t.Helper()
	c := testenv.StrictKafka(e.t, 1, topics...)
	opts := append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, ProducerOpts()...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(cl.Close)
	return &Service{Store: e.st, Kafka: cl, TopicPrefix: e.prefix, Owner: owner, LeaseTTL: 3 * time.Second}, c
}

func TestCheckTopicsNamesEachMissingTopicAndItsTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(6, "pod_running", "pod_created", "execution_started")
	svc := e.strictService("checker", e.prefix+"pod_created")
	draft, err := NewSession(Spec{TopicMap: map[string]string{"execution_started": "elsewhere"}}, time.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	err = svc.CheckTopics(ctxT(t, time.Minute), draft)
	var mt *MissingTopicsError
	if !errors.As(err, &mt) {
		t.Fatalf("CheckTopics = %v, want a MissingTopicsError", err)
	}
	want := []MissingTopic{{Topic: "elsewhere", EventTypes: []string{"execution_started"}},
		{Topic: e.prefix + "pod_running", EventTypes: []string{"pod_running"}}}
	if len(mt.Topics) != 2 || mt.Topics[0].Topic != want[0].Topic || mt.Topics[1].Topic != want[1].Topic ||
		mt.Topics[1].EventTypes[0] != "pod_running" {
		t.Fatalf("missing %+v, want %+v", mt.Topics, want)
	}
	if !strings.Contains(err.Error(), e.prefix+"pod_running (for pod_running)") {
		t.Fatalf("message does not name the topic and its type: %v", err)
	}

	// Only the types the filter selects count.
	only, err := NewSession(Spec{Types: []string{"pod_created"}}, time.Now(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CheckTopics(ctxT(t, time.Minute), only); err != nil {
		t.Fatalf("every selected type has its topic, got %v", err)
	}
}

// A worker picks sessions up with nobody to ask: a session whose topic is
// missing fails before anything is sent, its error naming the topic and
// the fix.
func TestRunFailsSessionBeforeSendingWhenATopicIsMissing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(12, "pod_running", "pod_created")
	svc := e.strictService("worker-a", e.prefix+"pod_created")
	sess := e.createStarted(svc, Spec{})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	s := res.Session
	if res.Outcome != OutcomeFailed || s.Status != contract.StatusFailed {
		t.Fatalf("outcome %s status %s, want failed", res.Outcome, s.Status)
	}
	if s.ReplayedEvents+s.FailedEvents != 0 {
		t.Fatalf("sent before refusing: %+v", s)
	}
	if s.Error == nil || !strings.Contains(*s.Error, e.prefix+"pod_running") || !strings.Contains(*s.Error, "--topic-map") {
		t.Fatalf("session error does not name the topic and the fix: %v", s.Error)
	}
	if n := len(s.Errors); n != 1 || s.Errors[0].ErrorType == nil || *s.Errors[0].ErrorType != "missing_topic" {
		t.Fatalf("errors %+v, want one missing_topic entry", s.Errors)
	}
}

// With missing topics allowed, each event to a missing topic fails on its
// own, and what the session records names the topic and Kafka's error code.
func TestSendErrorsNameTopicAndKafkaErrorCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seed(8, "pod_running", "pod_created")
	svc := e.strictService("runner-a", e.prefix+"pod_created")
	sess := e.createStarted(svc, Spec{AllowMissingTopics: true, RetryAttempts: new(int)})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	s := res.Session
	if s.Status != contract.StatusCompleted || s.ReplayedEvents != 4 || s.FailedEvents != 4 {
		t.Fatalf("status %s replayed %d failed %d, want completed 4/4", s.Status, s.ReplayedEvents, s.FailedEvents)
	}
	topic := e.prefix + "pod_running"
	for _, se := range s.Errors {
		if !strings.Contains(se.Error, topic) || !strings.Contains(se.Error, "UNKNOWN_TOPIC_OR_PARTITION") {
			t.Errorf("error %q does not name topic %s and the broker's code", se.Error, topic)
		}
		if se.ErrorType == nil || *se.ErrorType != "UNKNOWN_TOPIC_OR_PARTITION" {
			t.Errorf("error_type %v, want UNKNOWN_TOPIC_OR_PARTITION", se.ErrorType)
		}
	}
	if len(s.Errors) != 4 {
		t.Fatalf("%d errors, want 4: %+v", len(s.Errors), s.Errors)
	}
}
