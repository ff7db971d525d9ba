// Package e2e_test runs replayctl as operators do: the real binary, as child
// processes, against the embedded stack (FerretDB + kfake) that the test
// process hosts. It checks what issue 5 requires of `replayctl worker`:
// several workers share sessions and the DLQ topic without doing anything
// twice, SIGTERM hands a session over without losing events, /metrics
// matches the database, and a Kafka outage is survived.
package e2e_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// binEnv names a prebuilt replayctl binary to test instead of building
// ./cmd/replayctl (CI can pass the release build).
const binEnv = "REPLAYCTL_E2E_BIN"

// TestWorker builds the binary once and runs every scenario against it.
// The scenarios are subtests so the binary lives in this test's temporary
// directory and is removed with it.
func TestWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start processes; skipped with -short")
	}
	bin := binary(t)
	t.Run("InvalidSettingsExit2", func(t *testing.T) { testInvalidSettings(t, bin) })
	t.Run("TwoWorkersShareSessions", func(t *testing.T) { testTwoWorkersShareSessions(t, bin) })
	t.Run("SIGTERMHandsSessionOver", func(t *testing.T) { testSIGTERMHandsSessionOver(t, bin) })
	t.Run("DLQRecordsIngestedOnce", func(t *testing.T) { testDLQRecordsIngestedOnce(t, bin) })
	t.Run("KafkaOutage", func(t *testing.T) { testKafkaOutage(t, bin) })
	t.Run("PlatformOutage", func(t *testing.T) { testPlatformOutage(t, bin) })
	t.Run("MongoOutage", func(t *testing.T) { testMongoOutage(t, bin) })
	t.Run("SIGINTPausesReplayStart", func(t *testing.T) { testSIGINTPausesReplayStart(t, bin) })
	t.Run("SIGSTOPRunnerLosesToTaker", func(t *testing.T) { testSIGSTOPRunnerLosesToTaker(t, bin) })
	t.Run("TwoOperatorsRetryAtOnce", func(t *testing.T) { testTwoOperatorsRetryAtOnce(t, bin) })
	t.Run("JobSurvivesSIGKILLedWorker", func(t *testing.T) { testJobSurvivesSIGKILLedWorker(t, bin) })
	t.Run("CancelledJobStopsSending", func(t *testing.T) { testCancelledJobStopsSending(t, bin) })
	t.Run("SIGKILLedRunVerifies", func(t *testing.T) { testSIGKILLedRunVerifies(t, bin) })
}

// binary returns the replayctl binary under test: $REPLAYCTL_E2E_BIN, or
// ./cmd/replayctl built without -race (the children need not be slow).
func binary(t *testing.T) string {
	t.Helper()
	out := os.Getenv(binEnv)
	if out == "" {
		out = filepath.Join(t.TempDir(), "replayctl")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/replayctl")
		cmd.Dir = ".."
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/replayctl: %v\n%s", err, b)
		}
	}
	// Fail with one clear message rather than five confusing ones.
	for _, sub := range [][]string{{"worker", "--help"}, {"replay", "create", "--help"}} {
		if b, err := exec.Command(out, sub...).CombinedOutput(); err != nil {
			t.Fatalf("the built binary has no `replayctl %s` command (is it mounted in internal/cli/commands.go?): %v\n%s", sub[0], err, b)
		}
	}
	return out
}
