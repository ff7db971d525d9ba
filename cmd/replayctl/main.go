// Command replayctl replays stored events and administers the dead-letter
// queue of a MongoDB + Kafka event platform.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/output"
)

// Set by the release build (goreleaser ldflags).
var (
	buildVersion = "dev"
	buildCommit  = "none"
	buildDate    = "unknown"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, restore default handling so a second one kills at once.
	go func() { <-ctx.Done(); stop() }()

	f := cmdutil.New(output.System(), os.Getenv, time.Now)
	defer f.Close()
	root := cli.NewCmdRoot(f, version.Info{Version: buildVersion, Commit: buildCommit, Date: buildDate})
	err := root.ExecuteContext(ctx)
	if err != nil {
		cmdutil.PrintError(f.IO.ErrOut, output.NewStyles(f.IO.ColorEnabled()), err)
	}
	return int(cmdutil.ExitCode(err))
}
