package uicmd

import (
	"io"

	"github.com/integr8scode/replayctl/internal/dashboard"
)

// ScriptCommands is the no-terminal hint, for the external test that checks
// each command it names exists.
const ScriptCommands = scriptCommands

// CloseDrafts is what Run does with the actions' edit files when the
// dashboard quits.
func CloseDrafts(a dashboard.Actions, w io.Writer) { a.(*actions).drafts.close(w) }
