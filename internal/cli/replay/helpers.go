package replaycmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

func usageHint(msg, hint string) error {
	return exitcode.WithHint(exitcode.Usagef("%s", msg), hint)
}

// createdBy names who created a session, for the contract's created_by.
func createdBy(getenv func(string) string) string {
	for _, key := range []string{"USER", "USERNAME", "LOGNAME"} {
		if u := strings.TrimSpace(getenv(key)); u != "" {
			return "replayctl:" + u
		}
	}
	return "replayctl"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// processed counts every event a session has dealt with, whatever the result.
func processed(s *contract.Session) int64 {
	return s.ReplayedEvents + s.FailedEvents + s.SkippedEvents
}

// progressText is "1234/5000 25%", or the replayed count while the total
// is not known yet.
func progressText(s *contract.Session) string {
	if s.TotalEvents <= 0 {
		return strconv.FormatInt(s.ReplayedEvents, 10)
	}
	return fmt.Sprintf("%d/%d %d%%", s.ReplayedEvents, s.TotalEvents, percent(processed(s), s.TotalEvents))
}

func percent(done, total int64) int64 {
	if total <= 0 {
		return 0
	}
	return max(0, min(100, done*100/total))
}

// launchParams records how a launch was asked for, in the audit trail.
func launchParams(detach, allowMissingTopics bool) map[string]string {
	p := map[string]string{"detach": strconv.FormatBool(detach)}
	if allowMissingTopics {
		p["allow_missing_topics"] = "true"
	}
	return p
}

func sessionIDs(sessions []contract.Session) []string {
	ids := make([]string, len(sessions))
	for i := range sessions {
		ids[i] = sessions[i].SessionID
	}
	return ids
}
