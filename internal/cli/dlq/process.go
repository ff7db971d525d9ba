package dlqcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// Defaults of `dlq process`, the platform processor's.
const (
	defaultGroup        = "replayctl-dlq"
	defaultPollInterval = 5 * time.Second
)

// ProcessOptions are the inputs of `dlq process`.
type ProcessOptions struct {
	cmdOptions

	Once         bool
	Group        string
	PollInterval time.Duration
}

// NewCmdProcess builds `dlq process`; runF replaces the run in flag tests.
func NewCmdProcess(f *cmdutil.Factory, runF func(context.Context, *ProcessOptions) error) *cobra.Command {
	opts := &ProcessOptions{cmdOptions: cmdOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "process",
		Short: "Run the DLQ processor in the foreground",
		Long: `Do the platform's DLQ processor work: consume the DLQ topic with a consumer
group, store each message in dlq_messages (idempotently, by event id),
publish dlq_message_received, apply the retry policy (discard with
max_retries_exceeded, or schedule the next retry; retry at once for the
immediate strategy), and retry every scheduled message whose time has come.

Records that are not valid DLQ messages are quarantined (see
'dlq list --invalid') and never stop consumption. Offsets are committed only
after a message is stored, so a crash re-reads rather than loses.

With --once it makes one pass over what is on the topic now and over the
due retries, then exits: for cron jobs and CI. Without it, it runs until
Ctrl-C or SIGTERM, then commits and stops cleanly (exit 0). A summary of
what was done is printed at the end; on a terminal a live status line shows
progress.

Beside running workers: a pass joins the consumer group given by --group
(the workers' group by default) and reads only the partitions the group
assigns it, from the group's committed offsets. When the group has committed
every partition to its end, there is nothing to read: the pass retries what
is due and exits 0 like any caught-up pass. When records are left and the
group's other members own every partition of the topic (more members than
partitions), --once reads nothing and skips the due retries too (those
members run them): it names the group's members on stderr and exits 4 (a
conflict, like a session another runner holds). With no more members than
partitions it waits for its share. A commit refused while the group rebalances is not an error: it is
made with the next batch, or the partition's next owner reads the records
again and finds them stored.`,
		Example: `  # Run until stopped
  replayctl dlq process

  # One pass, from cron
  replayctl dlq process --once -o json

  # A second processor sharing the work with the first
  replayctl dlq process --group replayctl-dlq --poll-interval 10s`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Group = strings.TrimSpace(opts.Group)
			if opts.Group == "" {
				return exitcode.Usagef("--group must not be empty")
			}
			if opts.PollInterval <= 0 {
				return exitcode.Usagef("invalid --poll-interval %s: must be greater than 0", opts.PollInterval)
			}
			return dispatch(cmd, &opts.cmdOptions, opts, runF, processRun)
		},
	}
	cmd.Flags().BoolVar(&opts.Once, "once", false, "process what is on the topic now and the due retries, then exit")
	cmd.Flags().StringVar(&opts.Group, "group", defaultGroup, "Kafka consumer group id")
	cmd.Flags().DurationVar(&opts.PollInterval, "poll-interval", defaultPollInterval, "how often to look for scheduled retries that are due")
	return cmd
}

func processRun(ctx context.Context, opts *ProcessOptions) error {
	f := opts.Factory
	p, m, err := opts.printerAndManager(ctx, managerNeeds{Kafka: true, Consumer: true})
	if err != nil {
		return err
	}
	if !opts.Once && f.IO.IsStderrTTY() {
		fmt.Fprintf(f.IO.ErrOut, "Processing %s as group %s; press Ctrl-C to stop.\n", m.DLQTopic, opts.Group)
	}
	line := newStatusLine(f.IO, time.Now)
	stats, err := m.Process(ctx, dlq.ProcessOptions{
		Group: opts.Group, Once: opts.Once, PollInterval: opts.PollInterval,
		Progress: func(s dlq.ProcessStats) { line.Set(statusText(s)) },
	})
	line.Done()
	var busy *dlq.GroupBusyError
	if errors.As(err, &busy) {
		// Nothing was done: an all-zero summary would read as a clean pass.
		return err
	}
	// Stopping the processor is how it normally ends: a cancelled context
	// (Ctrl-C, SIGTERM) is a clean stop, not an interruption.
	if err != nil && !(errors.Is(err, context.Canceled) && ctx.Err() != nil) {
		if perr := p.Print(newProcessView(stats)); perr != nil {
			return perr
		}
		return fmt.Errorf("process DLQ topic %s: %w", m.DLQTopic, err)
	}
	return p.Print(newProcessView(stats))
}
