package replaycmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// sessionOptions are what the verbs acting on one stored session carry
// besides their own flags.
type sessionOptions struct {
	baseOptions
	ID string // a session ID or unique prefix, as given
}

func newSessionOptions(f *cmdutil.Factory) sessionOptions {
	return sessionOptions{baseOptions: baseOptions{Factory: f}}
}

// bindSession finishes cmd for a verb taking one session ID: the argument
// and its completion, the hidden --debug, and a RunE that runs check (the
// verb's own flag validation, may be nil) and then hands opts to runF (flag
// tests) or run.
func bindSession[O any](cmd *cobra.Command, so *sessionOptions, opts O, check func() error, runF, run func(context.Context, O) error) *cobra.Command {
	cmd.Args = cmdutil.ExactArgs(1, "a session ID or unique prefix")
	cmd.ValidArgsFunction = completeSessionIDs(so.Factory)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		so.ID = args[0]
		if check != nil {
			if err := check(); err != nil {
				return err
			}
		}
		return cmdutil.Run(cmd, opts, runF, run)
	}
	so.bind(cmd)
	return cmd
}

// launchOptions are what start and resume share: they put one session to
// running and, unless Detach, run it in this process.
type launchOptions struct {
	sessionOptions
	Detach             bool
	AllowMissingTopics bool
}

// bindLaunch is bindSession plus --detach.
func bindLaunch[O any](cmd *cobra.Command, lo *launchOptions, opts O, runF, run func(context.Context, O) error) *cobra.Command {
	cmd.Flags().BoolVar(&lo.Detach, "detach", false, "only mark the session running, for a worker to execute")
	cmd.Flags().BoolVar(&lo.AllowMissingTopics, replay.AllowMissingTopicsFlag, false,
		"run even if some target topics do not exist (their events then fail one by one); recorded in the session")
	lo.bindReason(cmd)
	lo.bindVerify(cmd)
	return bindSession(cmd, &lo.sessionOptions, opts, nil, runF, run)
}

// launchRun is start and resume: it resolves the session and launches it
// with op, under an audit record of action.
func launchRun(ctx context.Context, o *launchOptions, action string, op controlOp) error {
	if o.Verify && o.Detach {
		return usageHint("--verify cannot be used with --detach: a worker runs the session",
			"verify it once it ends with 'replayctl replay verify ID'")
	}
	p, svc, sess, err := o.resolve(ctx)
	if err != nil {
		return err
	}
	rec, err := o.beginAudit(ctx, action, launchParams(o.Detach, o.AllowMissingTopics), sess.SessionID)
	if err != nil {
		return err
	}
	if o.AllowMissingTopics {
		if sess, err = svc.AllowMissingTopics(ctx, sess); err != nil {
			return rec.Done(ctx, err)
		}
	}
	return launch(ctx, &o.baseOptions, p, svc, sess, op, o.Detach, startMode, rec)
}

// printerAndService is the preamble of the verbs that read or change
// sessions. The printer comes first, so a bad -o exits 2 before anything is
// dialled; a producer is attached later, only if a session needs one.
func (b *baseOptions) printerAndService(ctx context.Context) (*output.Printer, *replay.Service, error) {
	p, err := b.Factory.Printer()
	if err != nil {
		return nil, nil, err
	}
	svc, err := b.service(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	return p, svc, nil
}

// resolve adds to printerAndService the session the ID or prefix names.
func (o *sessionOptions) resolve(ctx context.Context) (*output.Printer, *replay.Service, *contract.Session, error) {
	p, svc, err := o.printerAndService(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	sess, err := svc.Resolve(ctx, o.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, svc, sess, nil
}
