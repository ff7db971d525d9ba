package replaycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// ShowOptions are the inputs of `replay show`.
type ShowOptions struct {
	sessionOptions
}

// NewCmdShow builds `replay show`; runF replaces the run in flag tests.
func NewCmdShow(f *cmdutil.Factory, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{sessionOptions: newSessionOptions(f)}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show everything about a session",
		Long: `Show a session: status, type and target; its filter (only the conditions
that are set); pacing and error handling; progress counters; the checkpoint
(the position of the last event the target acknowledged); which process
holds it and until when, with any pause or cancel request it has not
applied yet; the last 'replay verify' of it, if any; and its last errors,
newest first.

-o json prints {"session": ..., "holder": ..., "requests": [...]}, where
session is the stored document and holder is null when no runner holds it;
the last verification is session.replayctl.verification.

A document other software wrote with fields of the wrong type is shown as
far as it can be read, with the bad fields under Problems (-o json:
"invalid_fields"); exit code 0. ID may also be the document's _id, as
'replay list --show-invalid' names documents it could not read.`,
		Example: `  replayctl replay show 3f1c9a1e
  replayctl replay show 3f1c9a1e -o json | jq .session.errors`,
	}
	return bindSession(cmd, &opts.sessionOptions, opts, nil, runF, showRun)
}

func showRun(ctx context.Context, o *ShowOptions) error {
	p, svc, err := o.printerAndService(ctx)
	if err != nil {
		return err
	}
	info, err := svc.Info(ctx, o.ID)
	if err != nil {
		return err
	}
	return p.Print(newShowView(info, o.Factory.Now()))
}
