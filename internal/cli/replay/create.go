package replaycmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// specOptions are what create and run share: the session to create.
type specOptions struct {
	baseOptions
	Spec      replay.Spec
	CreatedBy string
}

// CreateOptions are the inputs of `replay create`.
type CreateOptions struct {
	specOptions
	Start  bool
	Detach bool
}

// NewCmdCreate builds `replay create`; runF replaces the run in flag tests.
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{specOptions: specOptions{baseOptions: baseOptions{Factory: f}}}
	var flags *specFlags
	cmd := &cobra.Command{
		Use:   "create [flags]",
		Short: "Create a replay session",
		Long: `Create a replay session from filter, target and pacing flags (or a spec file)
and print its id. The session is stored with status "created"; start it with
'replayctl replay start ID', or pass --start to start it at once.

Filter: every condition given must hold. --since and --until take a duration
back from now (90m, 1d12h, 7d), an RFC 3339 time or a date (UTC midnight).
An empty filter selects every event.

Target: kafka (default) sends each event to the topic named after its type
(with the configured --topic-prefix), or to the topic --topic-map gives;
file writes JSON Lines to --out ("-" for stdout).

Pacing: without --speed events go as fast as possible; --speed 2 halves the
original gaps between events; --rate caps events per second.

--from-file reads the same settings from YAML or JSON, with the flag names
in snake_case (types, exclude_types, since, until, execution_id,
aggregate_id, event_ids, user_id, service, target, out, topic_map, speed,
rate, preserve_timestamps, batch_size, max_events, fail_fast,
retry_attempts, dry_run, replay_type, allow_unknown_type); flags given on
the command line override the file, and --topic-map entries are added to
its topic_map.

An event type missing from the contract's list is refused with the closest
valid names, unless --allow-unknown-type. Every value is checked before
anything is written.

Prints the new session id alone on stdout, so scripts can capture it; with
-o json or -o yaml the whole session document.`,
		Example: `  # Everything one execution emitted, to Kafka
  id=$(replayctl replay create --execution-id 3f1c9a1e-4b7d-4c55-9f0e-1d2a3b4c5d6e)

  # Failed pods of the last day, to a file, at most 500 events/s
  replayctl replay create --type pod_failed --since 24h --target file --out pods.jsonl --rate 500

  # Rebuild a read model on a scratch topic, started at once in this shell
  replayctl replay create --type user_registered,user_updated \
    --topic-map user_registered=users_rebuild --topic-map user_updated=users_rebuild --start

  # Settings from a file, with one override
  replayctl replay create --from-file replay.yaml --dry-run`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.complete(cmd, flags); err != nil {
				return err
			}
			return cmdutil.Run(cmd, opts, runF, createRun)
		},
	}
	flags = addSpecFlags(cmd)
	cmd.Flags().BoolVar(&opts.Start, "start", false, "start the session at once and run it in this process")
	cmd.Flags().BoolVar(&opts.Detach, "detach", false, "with --start: only mark it running, for a worker to execute")
	opts.bind(cmd)
	opts.bindReason(cmd)
	return cmd
}

func (o *CreateOptions) complete(cmd *cobra.Command, flags *specFlags) error {
	if o.Detach && !o.Start {
		return usageHint("--detach only makes sense with --start", "add --start, or drop --detach")
	}
	return o.completeSpec(flags)
}

// completeSpec takes the validated spec from flags, so bad input exits 2
// before anything is dialled.
func (o *specOptions) completeSpec(flags *specFlags) error {
	spec, err := validSpec(o.Factory, flags)
	if err != nil {
		return err
	}
	o.Spec, o.CreatedBy = spec, createdBy(o.Factory.Getenv)
	return nil
}

// validSpec merges file and flags and runs the domain's full validation, so
// bad input exits 2 before anything is written.
func validSpec(f *cmdutil.Factory, flags *specFlags) (replay.Spec, error) {
	spec, err := flags.spec()
	if err != nil {
		return replay.Spec{}, err
	}
	if _, err := replay.NewSession(spec, f.Now(), createdBy(f.Getenv)); err != nil {
		return replay.Spec{}, err
	}
	return spec, nil
}

func createRun(ctx context.Context, o *CreateOptions) error {
	p, err := o.Factory.Printer()
	if err != nil {
		return err
	}
	var params map[string]string
	if o.Start {
		params = launchParams(o.Detach, false)
		params["start"] = "true"
	}
	rec, err := o.beginAudit(ctx, audit.ReplayCreate, params)
	if err != nil {
		return err
	}
	svc, sess, err := o.createSession(ctx, p, o.Start && !o.Detach, o.Start)
	if err != nil {
		return rec.Done(ctx, err)
	}
	rec.AddTargets(sess.SessionID)
	if !o.Start {
		if err := rec.Done(ctx, nil); err != nil {
			return err
		}
		return printCreated(o.Factory.IO, p, sess.SessionID, sess)
	}
	// stdout gets the run's summary (or the events); the id goes to the log.
	fmt.Fprintf(o.Factory.IO.ErrOut, "Created session %s\n", sess.SessionID)
	return launch(ctx, &o.baseOptions, p, svc, sess, (*replay.Service).Start, o.Detach, startMode, rec)
}

// createSession stores the session. foreground says this process will run
// it, which needs stdout free and, for Kafka, a reachable cluster; starting
// (here or on a worker) needs the target topics. All are checked before
// anything is written.
func (o *specOptions) createSession(ctx context.Context, p *output.Printer, foreground, starting bool) (*replay.Service, *contract.Session, error) {
	draft, err := replay.NewSession(o.Spec, o.Factory.Now(), o.CreatedBy)
	if err != nil {
		return nil, nil, err
	}
	if foreground {
		if err := checkStdoutFree(p, draft); err != nil {
			return nil, nil, err
		}
	}
	svc, err := o.service(ctx, foreground && needsProducer(draft))
	if err != nil {
		return nil, nil, err
	}
	if starting {
		unsaved := *draft
		unsaved.SessionID = "" // the refusal must not name a session that was never stored
		if err := o.checkTopics(ctx, svc, &unsaved); err != nil {
			return nil, nil, err
		}
	}
	sess, err := svc.Create(ctx, o.Spec, o.CreatedBy)
	if err != nil {
		return nil, nil, fmt.Errorf("create replay session: %w", err)
	}
	return svc, sess, nil
}

// printCreated prints the id alone (table format) so `id=$(...)` works, or
// the whole session for -o json/yaml.
func printCreated(ios *output.IOStreams, p *output.Printer, id string, sess any) error {
	if p.Format() != output.FormatTable {
		return p.Print(sess)
	}
	if _, err := fmt.Fprintln(ios.Out, id); err != nil {
		return err
	}
	if ios.IsStderrTTY() {
		fmt.Fprintf(ios.ErrOut, "%s Start it with: replayctl replay start %s\n", p.Styles().Faint("Hint:"), id)
	}
	return nil
}
