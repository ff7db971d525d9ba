package replaycmd

import (
	"fmt"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
)

// cleanupView is what cleanup prints. Its JSON shape is a stable interface.
type cleanupView struct {
	DryRun    bool        `json:"dry_run"`
	OlderThan string      `json:"older_than"`
	Cutoff    time.Time   `json:"cutoff"`
	Count     int         `json:"count"`
	Sessions  sessionList `json:"sessions"`
	// Skipped are ended sessions that could not be read: kept, not deleted.
	Skipped []output.Skipped `json:"skipped"`
}

func newCleanupView(sessions []contract.Session, skipped []output.Skipped, o *CleanupOptions, cutoff time.Time, dryRun bool) cleanupView {
	return cleanupView{
		DryRun: dryRun, OlderThan: o.OlderThanText, Cutoff: cutoff, Count: len(sessions), Skipped: skipped,
		Sessions: sessionList{Sessions: sessions, now: o.Factory.Now(), shortIDs: o.Factory.IO.IsStdoutTTY()},
	}
}

func (v cleanupView) DetailSections(st *output.Styles) []output.Section {
	verb := "Deleted"
	if v.DryRun {
		verb = "Would delete"
	}
	title := fmt.Sprintf("%s %d ended session(s) created before %s (older than %s)", verb, v.Count, absTime(&v.Cutoff), v.OlderThan)
	if v.Count == 0 {
		return []output.Section{{Title: fmt.Sprintf("No ended sessions created before %s (older than %s)", absTime(&v.Cutoff), v.OlderThan)}}
	}
	return []output.Section{{Title: title, Table: v.Sessions}}
}
