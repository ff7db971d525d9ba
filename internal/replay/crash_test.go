package replay

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// Environment of the child process TestCrashChild.
const (
	envChild   = "REPLAY_CRASH_CHILD"
	envMongo   = "REPLAY_CRASH_MONGO"
	envDB      = "REPLAY_CRASH_DB"
	envBrokers = "REPLAY_CRASH_BROKERS"
	envPrefix  = "REPLAY_CRASH_PREFIX"
	envSession = "REPLAY_CRASH_SESSION"
)

// TestCrashChild is the runner the crash test kills: it only runs when the
// crash test starts this binary again with envChild set.
func TestCrashChild(t *testing.T) {
	if os.Getenv(envChild) == "" {
		t.Skip("helper process of TestKilledRunnerResumes")
	}
	ctx := context.Background()
	st, err := store.Connect(ctx, store.Options{URI: os.Getenv(envMongo), Database: os.Getenv(envDB)})
	if err != nil {
		t.Fatal(err)
	}
	opts := append([]kgo.Opt{kgo.SeedBrokers(strings.Split(os.Getenv(envBrokers), ",")...), kgo.AllowAutoTopicCreation()}, ProducerOpts()...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	svc := &Service{Store: st, Kafka: cl, TopicPrefix: os.Getenv(envPrefix), Owner: "doomed-child", LeaseTTL: 2 * time.Second}
	_, err = svc.Run(ctx, os.Getenv(envSession), RunOptions{})
	t.Fatalf("the child should have been killed, but Run returned: %v", err)
}

func TestKilledRunnerResumesWithEveryEventAtLeastOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	events := e.seed(240, "execution_running")
	svc := e.service("survivor")
	sess := e.createStarted(svc, Spec{Rate: 80})
	stack := testenv.Shared(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1", envMongo+"="+stack.MongoURI(), envDB+"="+e.st.Database().Name(),
		envBrokers+"="+strings.Join(stack.KafkaBrokers(), ","), envPrefix+"="+e.prefix, envSession+"="+sess.SessionID)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, func() bool { return e.get(sess.SessionID).ReplayedEvents >= 60 },
		"the child to checkpoint 60 events (child output: %s)", &out)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup at all
		t.Fatal(err)
	}
	_ = cmd.Wait()
	atKill := e.get(sess.SessionID)
	if atKill.ReplayedEvents >= 240 {
		t.Fatalf("the child finished before it was killed")
	}

	testenv.Eventually(t, 20*time.Second, func() bool {
		_, err := svc.Resume(ctxT(t, time.Minute), sess.SessionID)
		return err == nil
	}, "the killed child's claim to expire")
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	s := res.Session
	if res.Outcome != OutcomeCompleted || s.ReplayedEvents != 240 || s.TotalEvents != 240 {
		t.Fatalf("%s %+v", res.Outcome, s)
	}

	recs := testenv.ReadToEnd(t, testenv.Shared(t).KafkaBrokers(), e.topics("execution_running")...)
	records := len(recs)
	dups := int64(testenv.AssertEachAtLeastOnce(t, "execution_running", idsOf(events), eventIDs(t, recs)))
	t.Logf("checkpointed %d at the kill; %d records for 240 events; %d duplicates, %d recorded as possible",
		atKill.ReplayedEvents, records, dups, s.Replayctl.PossibleDuplicates)
	if dups > s.Replayctl.PossibleDuplicates || s.Replayctl.PossibleDuplicates > 240-atKill.ReplayedEvents {
		t.Fatalf("possible_duplicates %d must bound the %d actual duplicates (and at most the %d re-sent events)",
			s.Replayctl.PossibleDuplicates, dups, 240-atKill.ReplayedEvents)
	}
}
