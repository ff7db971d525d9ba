package dlqcmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/eventedit"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/fault"
)

// EditOptions are the inputs of `dlq edit`.
type EditOptions struct {
	cmdOptions

	EventID  string
	FromFile string
	Sets     []string
	DryRun   bool
	Reason   string

	sets []eventedit.Set
}

// NewCmdEdit builds `dlq edit`; runF replaces the run in flag tests.
func NewCmdEdit(f *cmdutil.Factory, runF func(context.Context, *EditOptions) error) *cobra.Command {
	opts := &EditOptions{cmdOptions: cmdOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "edit EVENT_ID",
		Short: "Fix a DLQ message's event before it is retried",
		Long: `Change the event of a pending or scheduled DLQ message, so that a retry
sends the corrected event.

On a terminal, the event opens as indented JSON in $VISUAL or $EDITOR (else
vi); save and quit to apply. Without a terminal, give the new event with
--from-file FILE ('-' reads stdin), or change single fields with --set
PATH=VALUE (repeatable). PATH is dotted, with array indexes as numbers
(metadata.user_id, runtime_command.0); VALUE is JSON when it parses as JSON,
else a string (--set 'metadata.user_id="123"' for a string of digits).

The edited event must be a JSON object with the same event_id and
event_type, the contract's common fields (event_version, timestamp as an RFC
3339 date, aggregate_id a string or null, metadata with string
service_name, service_version, user_id and a known environment), and must
fit a Kafka record (franz-go's default 1,000,012-byte batch). Otherwise
nothing is stored and the exit code is 2.

replayctl prints the changed paths with their old and new values, then
stores the event. An edit that changes nothing stores nothing. --dry-run
prints the changes only. The event as it was before the first edit, and
every edit (who: the actor, when, --reason, the changed paths) are kept in
replayctl_dlq_edits; 'dlq show' shows them, and a retry of an edited message
carries the record header replayctl-dlq-edited: true.

A retried or discarded message cannot be edited (exit 4). If the message
changes while you edit it (another edit, a retry, a new failure), nothing is
stored and the exit code is 4: edit it again.`,
		Example: `  # Open the event in your editor
  replayctl dlq edit 3f2a9c1e --reason "user id was the email, not the id"

  # From a script: change fields, preview first
  replayctl dlq edit 3f2a9c1e --set metadata.user_id=u-42 --set 'resource_usage.peak_memory_kb=2048' --dry-run
  replayctl dlq edit 3f2a9c1e --set metadata.user_id=u-42 --reason "ticket 812"

  # Replace the whole event
  replayctl dlq show 3f2a9c1e -o json | jq '.message.event | .script = "print(2)"' | replayctl dlq edit 3f2a9c1e --from-file -`,
		Args:              cmdutil.ExactArgs(1, "EVENT_ID"),
		ValidArgsFunction: completeEventIDs(f, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(args); err != nil {
				return err
			}
			return dispatch(cmd, &opts.cmdOptions, opts, runF, editRun)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.FromFile, "from-file", "f", "", "read the new event (JSON) from FILE; - reads stdin")
	fl.StringArrayVar(&opts.Sets, "set", nil, "set PATH=VALUE in the event (repeatable; VALUE is JSON, else a string)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show the changes, store nothing")
	fl.StringVar(&opts.Reason, "reason", "", "why the event is edited (recorded with the edit)")
	cmd.MarkFlagsMutuallyExclusive("from-file", "set")
	_ = cmd.MarkFlagFilename("from-file", "json")
	return cmd
}

func (o *EditOptions) complete(args []string) error {
	o.EventID = strings.TrimSpace(args[0])
	if o.EventID == "" {
		return exitcode.Usagef("EVENT_ID must not be empty")
	}
	o.Reason = strings.TrimSpace(o.Reason)
	o.sets = nil
	for _, s := range o.Sets {
		set, err := eventedit.ParseSet(s)
		if err != nil {
			return exitcode.Usagef("invalid value for --set: %v", err)
		}
		o.sets = append(o.sets, set)
	}
	if o.FromFile == "" && len(o.sets) == 0 && !o.Factory.CanEdit() {
		return exitcode.WithHint(exitcode.Usagef("no terminal to open an editor on: give the new event with --from-file FILE (- for stdin) or --set PATH=VALUE"),
			"for example --set metadata.user_id=u-42")
	}
	return nil
}

func editRun(ctx context.Context, opts *EditOptions) error {
	p, m, err := opts.printerAndManager(ctx, managerNeeds{})
	if err != nil {
		return err
	}
	draft, err := m.OpenEdit(ctx, opts.EventID)
	if err != nil {
		return err
	}
	edited, tmp, err := opts.editedEvent(ctx, draft)
	if err != nil {
		return err
	}
	if edited == nil {
		return p.Print(editView{EditResult: &dlq.EditResult{EventID: draft.EventID, Changes: []eventedit.Change{}}, cancelled: true})
	}
	res, err := opts.save(ctx, m, draft, edited)
	if tmp != "" {
		if err != nil && fault.KindOf(err) == fault.Invalid {
			return exitcode.WithHint(err, fmt.Sprintf("your edit is kept in %s: fix it and run 'replayctl dlq edit %s --from-file %s'", tmp, draft.EventID, tmp))
		}
		_ = os.Remove(tmp)
	}
	if err != nil {
		return err
	}
	return p.Print(editView{EditResult: res})
}

// editedEvent returns the edited event's JSON from --from-file, --set or
// the editor, and the editor's file (kept when the edit is refused). nil
// JSON means the operator cancelled: the editor saved an empty file.
func (o *EditOptions) editedEvent(ctx context.Context, d *dlq.EditDraft) ([]byte, string, error) {
	switch {
	case o.FromFile != "":
		return o.readFile()
	case len(o.sets) > 0:
		v, err := d.Original()
		if err != nil {
			return nil, "", err
		}
		if err := eventedit.Apply(v, o.sets); err != nil {
			return nil, "", exitcode.Usagef("%v", err)
		}
		return v.Compact(), "", nil
	}
	saved, tmp, err := o.Factory.EditTemp(ctx, "replayctl-dlq-edit-*.json", d.JSON)
	if err != nil {
		if tmp != "" {
			_ = os.Remove(tmp)
		}
		return nil, "", err
	}
	if len(bytes.TrimSpace(saved)) == 0 {
		_ = os.Remove(tmp)
		return nil, "", nil
	}
	return saved, tmp, nil
}

func (o *EditOptions) readFile() ([]byte, string, error) {
	if o.FromFile == "-" {
		data, err := io.ReadAll(o.Factory.IO.In)
		if err != nil {
			return nil, "", fmt.Errorf("read the event from stdin: %w", err)
		}
		return data, "", nil
	}
	data, err := os.ReadFile(o.FromFile)
	if err != nil {
		return nil, "", exitcode.Usagef("--from-file: %v", err)
	}
	return data, "", nil
}

// save stores the edit through SaveEdit with the command's reason and
// --dry-run.
func (opts *EditOptions) save(ctx context.Context, m *dlq.Manager, draft *dlq.EditDraft, edited []byte) (*dlq.EditResult, error) {
	return SaveEdit(ctx, opts.Factory, m, draft, edited, opts.Reason, opts.DryRun)
}

// SaveEdit stores an edited event as `dlq edit` does, audited as dlq.edit
// with the settings' actor. A dry run, an edit refused by validation
// (exit 2) and one that changes nothing store nothing, so they are checked
// first and leave no record. The dashboard's edit saves through it too.
func SaveEdit(ctx context.Context, f *cmdutil.Factory, m *dlq.Manager, draft *dlq.EditDraft, edited []byte, reason string, dryRun bool) (*dlq.EditResult, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	eo := dlq.EditOptions{Who: s.Actor, Reason: reason, DryRun: true}
	checked, err := m.Edit(ctx, draft, edited, eo)
	if err != nil || dryRun || len(checked.Changes) == 0 {
		if checked != nil {
			checked.DryRun = dryRun
		}
		return checked, err
	}
	rec, err := cmdutil.BeginAudit(ctx, f, audit.Intent{Action: audit.DLQEdit, Targets: []string{draft.EventID}, Reason: reason})
	if err != nil {
		return nil, err
	}
	eo.DryRun = false
	res, err := m.Edit(ctx, draft, edited, eo)
	return res, rec.Done(ctx, err)
}
