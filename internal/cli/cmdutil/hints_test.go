package cmdutil

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/replay"
)

func TestDomainErrorsGetTheirExitCodeAndAHintNamingTheFix(t *testing.T) {
	state := func(status contract.SessionStatus, action string) error {
		return fmt.Errorf("start: %w", fault.New(fault.Conflict, &replay.StateError{SessionID: "s1", Action: action, Status: status}))
	}
	cases := []struct {
		name string
		err  error
		code exitcode.Code
		hint string
	}{
		{"mongo down", &fault.UnavailableError{Server: fault.MongoDB, Addr: "mongodb://h", Err: errors.New("refused")}, exitcode.Unavailable, "--mongo-uri"},
		{"kafka down", fmt.Errorf("ping: %w", &fault.UnavailableError{Server: fault.Kafka, Addr: "h:9092", Err: errors.New("refused")}), exitcode.Unavailable, "--kafka-brokers"},
		{"no brokers", fmt.Errorf("client: %w", kafka.ErrNoBrokers), exitcode.Usage, "--kafka-brokers"},
		{"ambiguous", &fault.AmbiguousError{What: "replay session", Prefix: "a", Candidates: []string{"ab", "ac"}}, exitcode.Usage, "more characters"},
		{"resume a created session", state(contract.StatusCreated, "resume"), exitcode.InvalidState, "replayctl replay start"},
		{"start a paused session", state(contract.StatusPaused, "start"), exitcode.InvalidState, "replayctl replay resume"},
		{"start a running session", state(contract.StatusRunning, "start"), exitcode.InvalidState, "replayctl replay watch"},
		{"lost claim", fault.New(fault.Conflict, &replay.LostClaimError{SessionID: "s1"}), exitcode.InvalidState, "replayctl replay show"},
		{"spec key", fault.New(fault.Invalid, &replay.SpecKeyError{Path: "f", Line: "2", Key: "speeed"}), exitcode.Usage, "speed"},
		{"DLQ group busy", fault.New(fault.Conflict, &dlq.GroupBusyError{Group: "g", Topic: "dead_letter_queue", Partitions: 1}), exitcode.InvalidState, "replayctl dlq process --once"},
		{"not found", fault.NotFoundf("replay session %q not found", "x"), exitcode.NotFound, ""},
		{"partial", fault.Partialf("2 of 5 failed"), exitcode.Partial, ""},
	}
	for _, c := range cases {
		if got := ExitCode(c.err); got != c.code {
			t.Errorf("%s: exit code %d, want %d", c.name, got, c.code)
		}
		hint := HintOf(c.err)
		if c.hint == "" && hint != "" || !strings.Contains(hint, c.hint) {
			t.Errorf("%s: hint %q, want one containing %q", c.name, hint, c.hint)
		}
	}
}

func TestACommandsOwnHintWinsOverTheDomainHint(t *testing.T) {
	err := exitcode.WithHint(&fault.UnavailableError{Server: fault.MongoDB, Err: errors.New("x")}, "try later")
	if h := HintOf(err); h != "try later" {
		t.Errorf("hint %q, want the command's own", h)
	}
}
