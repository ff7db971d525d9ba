// Package leasescmd implements `replayctl leases`: who holds which session
// or redrive job right now.
package leasescmd

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
)

// Options are the inputs of `leases`.
type Options struct {
	Factory     *cmdutil.Factory
	Limit       int64
	ShowInvalid bool
}

// NewCmdLeases builds `replayctl leases`; runF replaces the run in flag tests.
func NewCmdLeases(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "leases",
		Short: "List the live leases: which process runs which session or redrive job",
		Long: `List the live run leases, most recently taken first: the replay sessions and
the DLQ redrive jobs that a process (a worker, or a CLI running one in the
foreground) holds right now, with the holder, the lease's epoch, when it
was taken, its last renewal and when it expires unless renewed. A lease
that is released or has expired is not listed: its session or job is free
for the next worker. This is the dashboard's workers view.

-o json prints {"items": [...], "total": N, "skipped": [...]}.`,
		Example: `  replayctl leases
  replayctl leases -o json | jq -r '.items[] | select(.kind == "session") | .owner'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Limit <= 0 {
				return exitcode.Usagef("invalid --limit %d: must be greater than 0", opts.Limit)
			}
			return cmdutil.Run(cmd, opts, runF, Run)
		},
	}
	cmd.Flags().Int64Var(&opts.Limit, "limit", 100, "list at most this many leases of each kind")
	cmdutil.AddShowInvalidFlag(cmd, &opts.ShowInvalid)
	return cmd
}

// Run reads the live session and job leases and prints them.
func Run(ctx context.Context, o *Options) error {
	f := o.Factory
	p, err := f.Printer()
	if err != nil {
		return err
	}
	w, err := f.Wiring(ctx)
	if err != nil {
		return err
	}
	sessions, skippedS, err := w.ReplayService().LiveRuns(ctx, o.Limit)
	if err != nil {
		return err
	}
	jobs, skippedJ, err := w.DLQJobs(w.DLQManager()).LiveRuns(ctx, o.Limit)
	if err != nil {
		return err
	}
	skipped := cmdutil.SkippedDocs(append(skippedS, skippedJ...))
	p.ReportSkipped(skipped, o.ShowInvalid)
	items := append(leaseViews("session", sessions), leaseViews("job", jobs)...)
	sort.SliceStable(items, func(i, j int) bool { return items[i].AcquiredAt.After(items[j].AcquiredAt) })
	return p.Print(listView{Items: items, Total: int64(len(items)), Skipped: skipped, now: f.Now(), shortIDs: f.IO.IsStdoutTTY()})
}

// LeaseView is one live lease as listed.
type LeaseView struct {
	Kind       string    `json:"kind" yaml:"kind"` // session or job
	ID         string    `json:"id" yaml:"id"`
	Owner      string    `json:"owner" yaml:"owner"`
	Epoch      int64     `json:"epoch" yaml:"epoch"`
	AcquiredAt time.Time `json:"acquired_at" yaml:"acquired_at"`
	RenewedAt  time.Time `json:"renewed_at" yaml:"renewed_at"`
	ExpiresAt  time.Time `json:"expires_at" yaml:"expires_at"`
}

func leaseViews(kind string, docs []store.LeaseDoc) []LeaseView {
	out := make([]LeaseView, len(docs))
	for i, d := range docs {
		out[i] = LeaseView{Kind: kind, ID: d.SessionID, Owner: d.Owner, Epoch: d.Epoch,
			AcquiredAt: d.AcquiredAt.UTC(), RenewedAt: d.RenewedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}
	}
	return out
}

// listView is the list commands' shape: {"items", "total", "skipped"}.
type listView struct {
	Items    []LeaseView
	Total    int64
	Skipped  []output.Skipped
	now      time.Time
	shortIDs bool
}

func (v listView) MarshalJSON() ([]byte, error) {
	return output.MarshalJSON(output.NewListDoc(v.Items, v.Total, v.Skipped))
}

func (v listView) TableHeader() []string {
	return []string{"KIND", "ID", "HOLDER", "EPOCH", "TAKEN", "RENEWED", "EXPIRES"}
}

func (v listView) TableRows(*output.Styles) [][]string {
	rows := make([][]string, len(v.Items))
	for i, l := range v.Items {
		id := l.ID
		if v.shortIDs {
			id = output.ShortID(id)
		}
		rows[i] = []string{l.Kind, id, l.Owner, strconv.FormatInt(l.Epoch, 10), output.RelativeTime(v.now, l.AcquiredAt),
			output.RelativeTime(v.now, l.RenewedAt), output.RelativeTime(v.now, l.ExpiresAt)}
	}
	return rows
}
