package replaycmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// shortIDLen is how much of a session id a terminal table shows: unique in
// practice (48 random bits) and still accepted everywhere as a prefix.
const shortIDLen = 12

func shortID(id string) string {
	if len(id) <= shortIDLen {
		return id
	}
	return id[:shortIDLen]
}

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

// parseStatuses validates --status values against the contract.
func parseStatuses(values []string) ([]contract.SessionStatus, error) {
	out := make([]contract.SessionStatus, 0, len(values))
	for _, v := range cleanList(values) {
		st := contract.SessionStatus(strings.ToLower(v))
		if !st.Valid() {
			return nil, exitcode.Usagef("invalid --status %q: valid values are %s", v, statusList())
		}
		out = append(out, st)
	}
	return out, nil
}

func statusList() string {
	names := make([]string, len(contract.SessionStatuses))
	for i, s := range contract.SessionStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// parseAge reads a positive age such as "90m", "24h", "7d" or "2w": Go
// durations plus days and weeks, which is how operators think about
// retention.
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if d, err := time.ParseDuration(s); err == nil {
		return positive(s, d)
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("invalid duration %q: use a number with s, m, h, d or w, e.g. 7d", s)
	}
	n, err := strconv.ParseFloat(s[:len(s)-1], 64)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: use a number with s, m, h, d or w, e.g. 7d", s)
	}
	return positive(s, time.Duration(n*float64(unit)))
}

func positive(s string, d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, fmt.Errorf("duration %q must be greater than zero", s)
	}
	return d, nil
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
