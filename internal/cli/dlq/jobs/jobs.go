// Package jobscmd implements `replayctl dlq jobs`: listing, showing,
// watching, cancelling and running DLQ redrive jobs (created by `dlq retry
// --detach` and `dlq discard --detach`).
package jobscmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// NewCmdJobs builds `dlq jobs` and its verbs.
func NewCmdJobs(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "Follow, cancel and run DLQ redrive jobs",
		Long: `A redrive job is a bulk 'dlq retry' or 'dlq discard' that runs on the server
side: 'dlq retry ... --detach' (or 'dlq discard ... --detach') creates it,
'replayctl worker' carries it out (or 'dlq jobs run ID' in the foreground),
and it survives the terminal that created it.

A job acts on the messages its selection matched that are still pending or
scheduled and failed at or before the job was created; messages that fail
later are the DLQ processor's. One holder runs a job at a time; if it dies,
another worker takes the job over after the lease (30 s) and goes on from
its last checkpoint.`,
		Example: `  replayctl dlq retry --all --topic execution_requested --rate 20 --detach --reason "consumer fixed"
  replayctl dlq jobs list --status running
  replayctl dlq jobs watch 7c1e
  replayctl dlq jobs cancel 7c1e --reason "wrong topic"`,
	}
	return cmdutil.Group(cmd,
		NewCmdList(f, nil),
		NewCmdShow(f, nil),
		NewCmdWatch(f, nil),
		NewCmdCancel(f, nil),
		NewCmdRun(f, nil),
	)
}

// jobOptions are what every verb carries.
type jobOptions struct {
	Factory *cmdutil.Factory
	ID      string
}

// service builds the job service through the wiring; kafka adds the
// producer running a job needs.
func service(ctx context.Context, f *cmdutil.Factory, kafka bool) (*dlqjob.Service, error) {
	w, err := f.Wiring(ctx)
	if err != nil {
		return nil, err
	}
	m := w.DLQManager()
	if kafka {
		if m.Kafka, err = w.DLQProducer(ctx, "replayctl-dlq-job"); err != nil {
			return nil, err
		}
	}
	return w.DLQJobs(m), nil
}

// idArg takes the one JOB_ID argument with completion.
func idArg(cmd *cobra.Command, f *cmdutil.Factory, o *jobOptions) {
	cmd.Args = cmdutil.ExactArgs(1, "JOB_ID")
	cmd.ValidArgsFunction = completeJobIDs(f)
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		o.ID = strings.TrimSpace(args[0])
		if o.ID == "" {
			return exitcode.Usagef("JOB_ID must not be empty")
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}

// outcome is the exit status of an ended job: 0 completed, 6 completed
// with failed messages, 1 failed, 4 cancelled.
func outcome(j *dlqjob.Job) error {
	switch {
	case j.Status == dlqjob.StatusCompleted && j.Failed > 0:
		return exitcode.WithHint(exitcode.Partialf("job %s completed; %d of %d messages failed", j.ID, j.Failed, j.ToMove),
			"the failed messages are unchanged; 'replayctl dlq jobs show "+output.ShortID(j.ID)+"' lists the last errors")
	case j.Status == dlqjob.StatusFailed:
		return exitcode.New(exitcode.Error, fmt.Errorf("job %s failed: %s", j.ID, j.Error))
	case j.Status == dlqjob.StatusCancelled:
		return exitcode.InvalidStatef("job %s was cancelled after %d messages", j.ID, j.Done)
	}
	return nil
}

// completeJobIDs offers the ids of recent jobs starting with the typed
// prefix, described by kind and status.
func completeJobIDs(f *cmdutil.Factory) cobra.CompletionFunc {
	return cmdutil.CompleteFirstArg(func(ctx context.Context, prefix string) []cobra.Completion {
		svc, err := service(ctx, f, false)
		if err != nil {
			return nil
		}
		page, err := svc.List(ctx, nil, 500)
		if err != nil {
			return nil
		}
		var out []cobra.Completion
		for _, j := range page.Items {
			if strings.HasPrefix(j.ID, prefix) {
				desc := fmt.Sprintf("%s %s, %d messages, created %s", j.Kind, j.Status, j.ToMove, output.RelativeTime(f.Now(), j.CreatedAt))
				out = append(out, cobra.CompletionWithDesc(j.ID, desc))
			}
			if len(out) == 50 {
				break
			}
		}
		return out
	})
}

// resolve is the preamble of the verbs that read one job (an id or unique
// prefix): the printer first, so a bad -o exits 2 before anything is
// dialled.
func resolve(ctx context.Context, f *cmdutil.Factory, id string) (*output.Printer, *dlqjob.Service, *dlqjob.Job, error) {
	p, err := f.Printer()
	if err != nil {
		return nil, nil, nil, err
	}
	svc, err := service(ctx, f, false)
	if err != nil {
		return nil, nil, nil, err
	}
	j, err := svc.Get(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, svc, j, nil
}
