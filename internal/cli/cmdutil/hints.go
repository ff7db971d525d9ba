package cmdutil

import (
	"errors"

	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/kafka"
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
	ambiguousHint,
	noBrokersHint,
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

func ambiguousHint(err error) string {
	var a *fault.AmbiguousError
	if errors.As(err, &a) {
		return "give more characters of the id"
	}
	return ""
}
