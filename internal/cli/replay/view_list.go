package replaycmd

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
)

// sessionList renders sessions as a table; its JSON is the array of full
// session documents, exactly as stored (cleanup nests it).
type sessionList struct {
	Sessions []contract.Session
	now      time.Time
	shortIDs bool
}

func (l sessionList) MarshalJSON() ([]byte, error) {
	if l.Sessions == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(l.Sessions)
}

// listView is `replay list`: the sessions in the list commands' shape.
type listView struct {
	sessionList
	total   int64
	skipped []output.Skipped
}

func (l listView) MarshalJSON() ([]byte, error) {
	return output.MarshalJSON(output.NewListDoc(l.Sessions, l.total, l.skipped))
}

func (l sessionList) TableHeader() []string {
	return []string{"ID", "STATUS", "TYPE", "TARGET", "PROGRESS", "FAILED", "CREATED"}
}

func (l sessionList) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(l.Sessions))
	for i := range l.Sessions {
		s := &l.Sessions[i]
		id := s.SessionID
		if l.shortIDs {
			id = output.ShortID(id)
		}
		rows = append(rows, []string{
			id, st.Status(string(s.Status)), s.Config.ReplayType, targetText(s),
			progressText(s), strconv.FormatInt(s.FailedEvents, 10), output.RelativeTime(l.now, s.CreatedAt),
		})
	}
	return rows
}

// targetText is the target with what qualifies it: "kafka", "file:out.jsonl",
// "kafka (dry run)".
func targetText(s *contract.Session) string {
	t := s.Config.Target
	if t == contract.TargetFile && s.Config.TargetFilePath != nil {
		t += ":" + *s.Config.TargetFilePath
	}
	if s.DryRun {
		t += " (dry run)"
	}
	return t
}
