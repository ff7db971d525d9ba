package replaycmd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/exitcode"
)

func TestVerifyFlags(t *testing.T) {
	o, err := parse(t, NewCmdVerify, "3f1c", "--max-time", "5m")
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "3f1c" || o.MaxTime != 5*time.Minute {
		t.Errorf("options %+v", o)
	}
	if o, err := parse(t, NewCmdVerify, "3f1c"); err != nil || o.MaxTime != defaultMaxTime {
		t.Errorf("default --max-time: %v %v", o, err)
	}
	got, err := parse(t, NewCmdVerify, "3f1c", "--max-time", "-1s")
	wantUsage(t, got, err, "--max-time")
	got, err = parse(t, NewCmdVerify)
	wantUsage(t, got, err)
}

func TestVerifyFlagOnRunAndStart(t *testing.T) {
	if o, err := parse(t, NewCmdRun, "--type", "pod_created", "--verify"); err != nil || !o.Verify {
		t.Errorf("run --verify: %+v %v", o, err)
	}
	if o, err := parse(t, NewCmdStart, "3f1c", "--verify"); err != nil || !o.Verify {
		t.Errorf("start --verify: %+v %v", o, err)
	}
}

// --verify that cannot run after a clean run is an error, not exit 0.
func TestVerifyAfterRunThatCannotVerifyIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := verifyAfterRun(ctx, nil, nil, nil, "3f1c", nil, nil)
	if got := exitcode.Of(err); got != exitcode.Unavailable {
		t.Fatalf("exit %d (%v), want %d", got, err, exitcode.Unavailable)
	}
	runErr := errors.New("the run failed")
	if err := verifyAfterRun(ctx, nil, nil, nil, "3f1c", runErr, nil); !errors.Is(err, runErr) {
		t.Errorf("the run's own failure was replaced: %v", err)
	}
}

// --verify is refused at flag-check time where nothing could be verified.
func TestRunVerifyRefusesDryRunAndStdout(t *testing.T) {
	got, err := parse(t, NewCmdRun, "--type", "pod_created", "--verify", "--dry-run")
	wantUsage(t, got, err, "--dry-run")
	got, err = parse(t, NewCmdRun, "--type", "pod_created", "--verify", "--target", "file", "--out", "-")
	wantUsage(t, got, err, "--out -")
}
