// Package status implements `replayctl status`.
package status

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/health"
	"github.com/integr8scode/replayctl/internal/output"
)

// Options are status's inputs.
type Options struct {
	Factory *cmdutil.Factory
	// CountTimeout bounds the counts; zero is --timeout less a reserve for
	// a ping, and a larger value is capped there.
	CountTimeout time.Duration
}

// NewCmdStatus builds `replayctl status`; runF replaces the run in flag tests.
func NewCmdStatus(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Check that MongoDB and Kafka are reachable and summarise what they hold",
		Long: `Status tells whether replayctl can work with the configured servers: the
MongoDB server version and database, the Kafka brokers and topic count, and
counts of events, replay sessions by status and DLQ messages by status.
The events total is read from the collection's statistics, so it stays fast
on a large event store; the counts by status are exact.

When MongoDB or Kafka does not answer within --timeout, status says which one
and how to fix it, and exits with code 5. A count that takes longer than
--count-timeout while MongoDB still answers is shown as slow, not as an
outage, and status exits 0. Telling the two apart takes a ping after the
counts, so --count-timeout is capped at what --timeout leaves for it: at
most three quarters of --timeout and at most --timeout less 1s.`,
		Example: `  replayctl status
  replayctl --context dev status -o json
  replayctl status --timeout 3s`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.CountTimeout < 0 {
				return exitcode.Usagef("invalid value %q for --count-timeout: want a positive duration", opts.CountTimeout.String())
			}
			return cmdutil.Run(cmd, opts, runF, Run)
		},
	}
	cmd.Flags().DurationVar(&opts.CountTimeout, "count-timeout", 0,
		"how long the counts may take before they are reported as slow (default and cap: three quarters of --timeout, at most --timeout less 1s)")
	return cmd
}

// Run gathers the report, prints it, and fails with exit 5 when a server is down.
func Run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	s, err := f.Settings()
	if err != nil {
		return err
	}
	p, err := f.Printer()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	report := health.Gather(ctx, health.Deps{
		Store: f.Store, Kafka: f.Kafka,
		MongoURI: s.MongoURI, Database: s.Database, Brokers: s.KafkaBrokers,
		CountTimeout: opts.CountTimeout,
	})
	if err := p.Print(view{report, s.ContextName}); err != nil {
		return err
	}
	if err := report.Err(); err != nil {
		return exitcode.WithHint(exitcode.New(exitcode.Unavailable, err), cmdutil.HintOf(err))
	}
	return nil
}

// view is status's printed shape: the report plus the context it ran in.
type view struct {
	*health.Report
	Context string `json:"context"`
}

func (v view) DetailSections(st *output.Styles) []output.Section {
	ctxName := v.Context
	if ctxName == "" {
		ctxName = st.Faint("(none)")
	}
	secs := []output.Section{
		{Title: "Context", Fields: []output.Field{{Key: "Name", Value: ctxName}}},
		{Title: "MongoDB", Fields: mongoFields(st, v.MongoDB)},
		{Title: "Kafka", Fields: kafkaFields(st, v.Kafka)},
	}
	if v.Events != nil || v.ReplaySessions != nil || v.DLQMessages != nil || len(v.SlowCounts) > 0 {
		events := ""
		if v.Events != nil {
			events = strconv.FormatInt(v.Events.Total, 10)
		}
		secs = append(secs, output.Section{Title: "Data", Fields: []output.Field{
			{Key: "Events", Value: v.slowOr(st, "events", events)},
			{Key: "Replay sessions", Value: v.slowOr(st, "replay_sessions", countsLine(st, v.ReplaySessions))},
			{Key: "DLQ messages", Value: v.slowOr(st, "dlq_messages", countsLine(st, v.DLQMessages))},
		}})
	}
	return secs
}

// slowOr is value, or the note that the count timed out.
func (v view) slowOr(st *output.Styles, name, value string) string {
	for _, s := range v.SlowCounts {
		if s == name {
			return st.Faint("slow (timed out after " + v.CountTimeout + ")")
		}
	}
	return value
}

func reachable(st *output.Styles, ok bool, errText string) string {
	if ok {
		return st.SuccessIcon() + " reachable"
	}
	return st.FailureIcon() + " unreachable: " + errText
}

func mongoFields(st *output.Styles, m health.MongoReport) []output.Field {
	status := reachable(st, m.Reachable, m.Error)
	if m.Slow {
		status += st.Faint(" (counts slow)")
	}
	fields := []output.Field{
		{Key: "Status", Value: status},
		{Key: "URI", Value: m.URI},
		{Key: "Database", Value: m.Database},
	}
	if m.Version != "" {
		fields = append(fields, output.Field{Key: "Version", Value: m.Version})
	}
	return fields
}

func kafkaFields(st *output.Styles, k health.KafkaReport) []output.Field {
	fields := []output.Field{
		{Key: "Status", Value: reachable(st, k.Reachable, k.Error)},
		{Key: "Brokers", Value: strings.Join(k.Brokers, ", ")},
	}
	if k.Reachable {
		fields = append(fields, output.Field{Key: "Topics", Value: strconv.Itoa(k.Topics)})
	}
	return fields
}

func countsLine(st *output.Styles, c *health.Counts) string {
	if c == nil || c.Total == 0 {
		return "0"
	}
	keys := make([]string, 0, len(c.ByStatus))
	for k := range c.ByStatus {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", st.Status(k), c.ByStatus[k])
	}
	return fmt.Sprintf("%d (%s)", c.Total, strings.Join(parts, ", "))
}
