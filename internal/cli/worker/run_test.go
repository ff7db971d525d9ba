package workercmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// TestWorkerRunsADetachedSessionAndStopsCleanly runs the command in process
// on the embedded stack: a session started elsewhere (detached) is run to
// completion, and cancelling the context (SIGTERM in main) returns nil.
func TestWorkerRunsADetachedSessionAndStopsCleanly(t *testing.T) {
	env := clitest.New(t, NewCmdWorker)
	st := env.Store
	testenv.SeedEvents(t, st.Events.Collection(), "user_login", 40)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cli := &replay.Service{Store: st, Owner: "cli-test"}
	sess, err := cli.Create(ctx, replay.Spec{Types: []string{"user_login"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Start(ctx, sess.SessionID); err != nil {
		t.Fatal(err)
	}

	wctx, stop := context.WithCancel(ctx)
	done := make(chan clitest.Result, 1)
	go func() {
		done <- env.RunWith(clitest.Term{}, wctx, "worker", "--http-addr", "off", "--poll-interval", "100ms", "--lease-ttl", "3s", "--dlq=false", "--log-level", "debug")
	}()
	testenv.Eventually(t, 90*time.Second, func() bool {
		s, err := st.Sessions.Get(ctx, sess.SessionID)
		return err == nil && s.Status == contract.StatusCompleted
	}, "session %s completed by the worker", sess.SessionID)
	stop()
	var res clitest.Result
	select {
	case res = <-done:
	case <-time.After(40 * time.Second):
		t.Fatal("worker did not stop after its context was cancelled")
	}
	if res.Err != nil || res.Code != exitcode.OK {
		t.Fatalf("worker returned %v (exit %d)\nstderr:\n%s", res.Err, res.Code, res.Stderr)
	}
	final, err := st.Sessions.Get(ctx, sess.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if final.ReplayedEvents != 40 || final.FailedEvents != 0 {
		t.Fatalf("replayed %d failed %d, want 40 and 0", final.ReplayedEvents, final.FailedEvents)
	}
	for _, want := range []string{`"msg":"worker started"`, `"msg":"worker stopped"`, `"session_id":"` + sess.SessionID + `"`} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %s:\n%s", want, res.Stderr)
		}
	}
	if res.Stdout != "" {
		t.Errorf("the worker printed on stdout: %q", res.Stdout)
	}
}

func TestUnreachableMongoFailsFastWithExit5(t *testing.T) {
	wantUnavailable(t, "REPLAYCTL_MONGO_URI", "mongodb://127.0.0.1:1", "MongoDB")
}

func TestUnreachableKafkaFailsFastWithExit5(t *testing.T) {
	wantUnavailable(t, "REPLAYCTL_KAFKA_BROKERS", "127.0.0.1:1", "Kafka")
}

// wantUnavailable points one server (env var key) at value, where nothing
// answers, and expects the worker to give up within a short timeout with
// exit 5 and an error naming the server.
func wantUnavailable(t *testing.T, key, value, server string) {
	t.Helper()
	env := clitest.New(t, NewCmdWorker)
	env.Vars[key] = value
	env.Vars["REPLAYCTL_TIMEOUT"] = "500ms"
	env.Timeout = 30 * time.Second
	res := env.Run("worker", "--http-addr", "off")
	if res.Code != exitcode.Unavailable || !strings.Contains(res.Stderr, server) {
		t.Fatalf("exit %d, stderr %q; want 5 naming %s", res.Code, res.Stderr, server)
	}
}
