package replaycmd

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/replay"
)

// maxSample bounds --sample: a preview is for reading, not for exporting.
const maxSample = 100

// PreviewOptions are the inputs of `replay preview`.
type PreviewOptions struct {
	baseOptions
	ID     string // preview this session; otherwise Spec
	Spec   replay.Spec
	Sample int
}

// NewCmdPreview builds `replay preview`; runF replaces the run in flag tests.
func NewCmdPreview(f *cmdutil.Factory, runF func(context.Context, *PreviewOptions) error) *cobra.Command {
	opts := &PreviewOptions{baseOptions: baseOptions{Factory: f}}
	var flags *specFlags
	cmd := &cobra.Command{
		Use:   "preview [ID | flags]",
		Short: "Show what a replay would send, without sending anything",
		Long: `Preview a replay, read-only: how many events match, the first and last
timestamp, the count per event type with the topic each type goes to and
whether that topic exists on the cluster (kafka targets), the first
--sample events as the target would receive them, and the estimated
duration under the chosen pacing.

Give either an existing session's ID (or unique prefix), or the filter,
target and pacing flags of 'replayctl replay create' (or --from-file), not
both. Nothing is written anywhere.

It also says whether an index of the events collection serves the replay
order (timestamp, _id) for this filter. Without one, MongoDB sorts every
matching event before sending the first, at every start and resume; the
preview then prints a warning recommending {timestamp: 1, _id: 1}, which
serves every filter. An index covers the order when its key is the fields
the filter fixes to one value (execution_id, aggregate_id,
metadata.user_id, metadata.service_name, and event_type or event_id when
exactly one is given), then timestamp and _id in the same direction, and
it is neither sparse nor partial nor has a collation.

-o json prints the preview object: total, first, last, by_type, sample,
estimated_duration_seconds, pacing, sort_index ({covered, index,
recommended}; null when the indexes could not be listed).`,
		Example: `  replayctl replay preview --type execution_failed --since 24h
  replayctl replay preview 3f1c9a1e --sample 0
  replayctl replay preview --from-file replay.yaml -o json | jq .by_type`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeSessionIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(args, flags); err != nil {
				return err
			}
			return cmdutil.Run(cmd, opts, runF, previewRun)
		},
	}
	flags = addSpecFlags(cmd)
	// Preview starts nothing; it reports the missing topics instead.
	_ = cmd.Flags().MarkHidden(replay.AllowMissingTopicsFlag)
	cmd.Flags().IntVar(&opts.Sample, "sample", 5, fmt.Sprintf("show the first N matching events, 0 to %d", maxSample))
	opts.bind(cmd)
	return cmd
}

func (o *PreviewOptions) complete(args []string, flags *specFlags) error {
	if o.Sample < 0 || o.Sample > maxSample {
		return usageHint(fmt.Sprintf("invalid --sample %d: must be between 0 and %d", o.Sample, maxSample), "e.g. --sample 10")
	}
	if len(args) == 1 {
		if flags.changed() {
			return usageHint("give a session ID or filter flags, not both",
				"'replayctl replay preview ID' previews a stored session as it is")
		}
		o.ID = args[0]
		return nil
	}
	spec, err := validSpec(o.Factory, flags)
	if err != nil {
		return err
	}
	o.Spec = spec
	return nil
}

func previewRun(ctx context.Context, o *PreviewOptions) error {
	p, svc, err := o.printerAndService(ctx)
	if err != nil {
		return err
	}
	sess, err := o.session(ctx, svc)
	if err != nil {
		return err
	}
	if needsTopicCheck(sess) {
		cl, err := topicChecker(ctx, o.Factory)
		if err != nil {
			return err
		}
		svc.Kafka = cl
	}
	rate := 0.0
	if sess.Replayctl != nil {
		rate = sess.Replayctl.RateLimit
	}
	pv, err := svc.Preview(ctx, sess.Config, rate, o.Sample)
	if err != nil {
		return err
	}
	return p.Print(newPreviewView(pv, sess, o.ID != ""))
}

// session is the stored session for an ID, or an unsaved draft from the spec.
func (o *PreviewOptions) session(ctx context.Context, svc *replay.Service) (*contract.Session, error) {
	if o.ID != "" {
		return svc.Resolve(ctx, o.ID)
	}
	return replay.NewSession(o.Spec, o.Factory.Now(), createdBy(o.Factory.Getenv))
}

// topicChecker returns the shared client when Kafka answers. Topic
// existence is a metadata question the shared client can answer; when
// Kafka is down the preview still shows what MongoDB knows, with a warning.
func topicChecker(ctx context.Context, f *cmdutil.Factory) (*kgo.Client, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	cl, err := f.Kafka(ctx)
	if err == nil {
		pingCtx, cancel := context.WithTimeout(ctx, s.Timeout)
		err = kafka.Ping(pingCtx, cl, s.KafkaBrokers)
		cancel()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		fmt.Fprintf(f.IO.ErrOut, "Warning: topics not checked: %v\n", err)
		return nil, nil
	}
	return cl, nil
}

// needsTopicCheck: only a real Kafka replay has topics worth checking.
func needsTopicCheck(s *contract.Session) bool {
	return s.Config.Target == contract.TargetKafka
}
