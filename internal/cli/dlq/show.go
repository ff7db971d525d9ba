package dlqcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/eventedit"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// ShowOptions are the inputs of `dlq show`.
type ShowOptions struct {
	cmdOptions

	EventID string
}

// NewCmdShow builds `dlq show`; runF replaces the run in flag tests.
func NewCmdShow(f *cmdutil.Factory, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{cmdOptions: cmdOptions{Factory: f}}
	return &cobra.Command{
		Use:   "show EVENT_ID",
		Short: "Show one DLQ message: event, error, timeline and retry policy",
		Long: `Show everything about one dead-letter queue message: the failed event
pretty-printed, the error, the last retry error and how many of replayctl's
sends of it failed (-o json: "send_failures"), the timeline (failed,
received, retried, discarded), where it was read from on the DLQ topic, its
headers, and the retry policy that applies with the next automatic retry.

EVENT_ID is the failed event's id; a unique prefix is enough. A prefix that
matches several messages is an error (exit 2) that lists them; an id that
matches nothing exits with code 3.

The document's _id (as 'dlq list --show-invalid' names a document it could
not read) is accepted too. Of a document with fields of the wrong type,
show prints what it can and lists the bad fields under Problems (-o json:
"invalid_fields").`,
		Example: `  replayctl dlq show 3f2a9c1e-77b0-4d7e-9a43-2f6f0f5a8d11
  replayctl dlq show 3f2a9c1e

  # The failed event only, as JSON
  replayctl dlq show 3f2a9c1e -o json | jq .message.event`,
		Args:              cmdutil.ExactArgs(1, "EVENT_ID"),
		ValidArgsFunction: completeEventIDs(f, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.EventID = strings.TrimSpace(args[0])
			if opts.EventID == "" {
				return exitcode.Usagef("EVENT_ID must not be empty")
			}
			return dispatch(cmd, &opts.cmdOptions, opts, runF, showRun)
		},
	}
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	f := opts.Factory
	p, m, err := opts.printerAndManager(ctx, managerNeeds{})
	if err != nil {
		return err
	}
	msg, problems, err := m.Inspect(ctx, opts.EventID)
	if err != nil {
		return err
	}
	res, err := m.ResolvePolicy(ctx, msg.OriginalTopic, msg.EventType())
	if err != nil {
		return fmt.Errorf("resolve retry policy for topic %s: %w", msg.OriginalTopic, err)
	}
	edits, err := showEdits(ctx, m, msg)
	if err != nil {
		return err
	}
	return p.Print(showView{Message: newMessageJSON(msg), Policy: showPolicy(msg, res), InvalidFields: problems,
		Edits: edits, dlqTopic: m.DLQTopic, now: f.Now()})
}

// showPolicy says whether and when the processor will retry the message on
// its own, which is the operator's question when looking at one.
func showPolicy(msg *contract.DLQMessage, r *dlq.Resolved) *showPolicyJSON {
	sp := &showPolicyJSON{policyJSON: newPolicyJSON(r.Policy), Source: r.Source, Preset: r.Preset, Override: r.Override}
	switch {
	case msg.Status.Terminal():
		sp.Note = "message already " + string(msg.Status)
	case !r.Policy.CanRetry(msg.RetryCount):
		sp.Note = noRetryReason(msg, r.Policy)
	case msg.Status == contract.DLQScheduled && msg.NextRetryAt != nil:
		sp.AutomaticRetry, sp.NextRetryAt = true, msg.NextRetryAt
	default:
		sp.AutomaticRetry = true
		sp.Note = "scheduled when the processor next handles it"
	}
	return sp
}

// showEdits is the edit history of an edited message, nil otherwise.
func showEdits(ctx context.Context, m *dlq.Manager, msg *contract.DLQMessage) (*showEditsJSON, error) {
	if msg.EventID() == "" {
		return nil, nil
	}
	h, err := m.Edits(ctx, msg)
	if err != nil || len(h.Edits) == 0 {
		return nil, err
	}
	last := h.Edits[len(h.Edits)-1]
	// An unreadable original still leaves who edited and when to show.
	orig, err := contract.RawToJSON(h.Original)
	if err != nil || h.Original == nil {
		orig = nil
	}
	if h.Changes == nil {
		h.Changes = []eventedit.Change{}
	}
	return &showEditsJSON{Count: len(h.Edits), LatestBy: last.Who, LatestAt: last.At, LatestReason: last.Reason,
		Changes: h.Changes, Original: orig}, nil
}

func noRetryReason(msg *contract.DLQMessage, p dlq.Policy) string {
	if string(p.Strategy) == "manual" {
		return "manual strategy: retry with 'replayctl dlq retry'"
	}
	return fmt.Sprintf("retry count %d has reached max retries %d", msg.RetryCount, p.MaxRetries)
}
