// Package replaycmd implements `replayctl replay`: creating, previewing,
// running and controlling replay sessions. The commands only parse flags,
// validate them and render results; the work is done by internal/replay.
package replaycmd

import (
	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// NewCmdReplay builds `replayctl replay` and its verbs.
func NewCmdReplay(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "replay <command>",
		Short: "Replay stored events to Kafka or a file",
		Long: `Replay sessions re-send stored events from the MongoDB event store to Kafka
(or to a JSON Lines file) to debug an execution, rebuild a read model or test
a fix. Sessions live in the platform's replay_sessions collection, so a
session created by the platform's admin API and one created here are the
same thing: either can be previewed, started, paused, resumed, cancelled and
listed by either.

A session goes created -> running -> completed (or failed); a running
session can be paused and resumed, and any session that has not ended can
be cancelled. Wherever a session ID is expected, a unique prefix of it is
enough, as with git commit hashes.`,
		Example: `  # What would a replay of the last two hours of pod events send?
  replayctl replay preview --type pod_created,pod_failed --since 2h

  # Create a session, then run it here with a progress bar
  id=$(replayctl replay create --execution-id 3f1c9a1e-4b7d-4c55-9f0e-1d2a3b4c5d6e)
  replayctl replay start "$id"

  # One step for CI: exits 0 when every event was replayed, 6 when some failed
  replayctl replay run --from-file replay.yaml

  # Follow a session a worker runs, and pause it from another shell
  replayctl replay watch 3f1c9a1e
  replayctl replay pause 3f1c9a1e`,
	}
	return cmdutil.Group(cmd,
		NewCmdCreate(f, nil),
		NewCmdList(f, nil),
		NewCmdShow(f, nil),
		NewCmdPreview(f, nil),
		NewCmdStart(f, nil),
		NewCmdPause(f, nil),
		NewCmdResume(f, nil),
		NewCmdCancel(f, nil),
		NewCmdWatch(f, nil),
		NewCmdRun(f, nil),
		NewCmdCleanup(f, nil),
		NewCmdVerify(f, nil),
	)
}
