package cmdutil

import (
	"errors"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/flagvalue"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/replay"
)

// HintOf is the advice printed under an error. A hint the command attached
// wins; otherwise the domain's typed errors get the advice here, because
// only the command line knows its flags and commands.
func HintOf(err error) string {
	if h := exitcode.HintOf(err); h != "" {
		return h
	}
	for _, hint := range domainHints {
		if h := hint(err); h != "" {
			return h
		}
	}
	return ""
}

// domainHints are tried in order; each returns "" for errors it does not know.
var domainHints = []func(error) string{
	unavailableHint,
	hintFor[*fault.AmbiguousError]("give more characters of the id"),
	noBrokersHint,
	sessionStateHint,
	hintFor[*replay.HeldError]("watch it with `replayctl replay watch`, or pause it; if that process died, resume it after the lease expires"),
	hintFor[*replay.LostClaimError]("another runner may have taken it over; see `replayctl replay show`"),
	hintFor[*replay.SpecKeyError]("valid keys: " + replay.SpecKeys),
	hintFor[*flagvalue.UnknownTypeError]("pass --" + flagvalue.AllowUnknownTypeFlag + " (allow_unknown_type: true in a spec file) if the type is newer than replayctl's list"),
	hintFor[*dlq.GroupBusyError]("they are processing the topic; run `replayctl dlq process --once` when they are stopped, or leave the topic to them"),
	hintFor[*replay.MissingTopicsError]("create the topics; or send those event types to existing topics with --topic-map TYPE=TOPIC (a new session); " +
		"or pass --" + replay.AllowMissingTopicsFlag + " to send anyway (their events then fail one by one)"),
	hintFor[*dlq.NoOverrideError]("`replayctl dlq policy list` shows the overrides; topics are full names, prefix included"),
}

func sessionStateHint(err error) string {
	var e *replay.StateError
	if !errors.As(err, &e) {
		return ""
	}
	switch {
	case e.Status == contract.StatusCreated && e.Action != string(contract.ActionStart):
		return "start it with `replayctl replay start`"
	case e.Status == contract.StatusPaused && e.Action != string(contract.ActionResume):
		return "resume it with `replayctl replay resume`"
	case e.Status == contract.StatusRunning:
		return "follow it with `replayctl replay watch`"
	}
	return ""
}

func noBrokersHint(err error) string {
	if errors.Is(err, kafka.ErrNoBrokers) {
		return "set --kafka-brokers or the context's kafka-brokers"
	}
	return ""
}

func unavailableHint(err error) string {
	var u *fault.UnavailableError
	if !errors.As(err, &u) {
		return ""
	}
	switch u.Server {
	case fault.MongoDB:
		return "check that MongoDB is running and --mongo-uri (or the context's mongo-uri) is right; `replayctl dev` starts a local one"
	case fault.Kafka:
		return "check that Kafka is running and --kafka-brokers (or the context's kafka-brokers) is right; `replayctl dev` starts a local one"
	}
	return ""
}

// hintFor is a domain hint giving text for errors that wrap an E.
func hintFor[E error](text string) func(error) string {
	return func(err error) string {
		var e E
		if errors.As(err, &e) {
			return text
		}
		return ""
	}
}
