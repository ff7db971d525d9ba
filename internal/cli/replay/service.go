package replaycmd

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// baseOptions is what every replay verb carries besides its own flags.
type baseOptions struct {
	Factory *cmdutil.Factory
	// Debug logs the engine's decisions (leases, checkpoints) to stderr.
	Debug bool
	// Reason is the operator's why, recorded in the audit trail by the
	// verbs that change sessions.
	Reason string
	// Verify verifies the session after a foreground run completes and
	// folds the result into the exit code (run, start, resume).
	Verify bool
	// topicsChecked: this command already found every target topic, so
	// launching and running do not ask again.
	topicsChecked bool
}

func (b *baseOptions) bind(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&b.Debug, "debug", false, "log what the replay engine does to stderr")
	_ = cmd.Flags().MarkHidden("debug")
}

// bindVerify registers --verify on the verbs that run a session here.
func (b *baseOptions) bindVerify(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&b.Verify, "verify", false,
		"when the session completes, verify it ('replay verify') and exit 6 if an event is missing or unexpected; with -o json/yaml the report is the summary's \"verification\" field")
}

// bindReason registers --reason on a verb that changes sessions.
func (b *baseOptions) bindReason(cmd *cobra.Command) {
	cmd.Flags().StringVar(&b.Reason, "reason", "", "why: recorded in the audit trail")
}

// beginAudit writes the intent of action on the given sessions; an intent
// that cannot be written stops the verb before it changes anything.
func (b *baseOptions) beginAudit(ctx context.Context, action string, params map[string]string, sessionIDs ...string) (*cmdutil.AuditRun, error) {
	return cmdutil.BeginAudit(ctx, b.Factory, audit.Intent{Action: action, Targets: sessionIDs, Params: params, Reason: b.Reason})
}

// service builds the domain service, with a producing Kafka client when
// needKafka is set.
func (b *baseOptions) service(ctx context.Context, needKafka bool) (*replay.Service, error) {
	svc, err := newService(ctx, b.Factory, needKafka)
	if err != nil {
		return nil, err
	}
	if b.Debug {
		svc.Logger = slog.New(slog.NewTextHandler(b.Factory.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return svc, nil
}

// newService builds the engine through the factory's wiring, the one place
// every command and the worker assemble it.
func newService(ctx context.Context, f *cmdutil.Factory, needKafka bool) (*replay.Service, error) {
	w, err := f.Wiring(ctx)
	if err != nil {
		return nil, err
	}
	svc := w.ReplayService()
	if needKafka {
		if err := attachProducer(ctx, f, svc); err != nil {
			return nil, err
		}
	}
	return svc, nil
}

// attachProducer gives svc a pinged producing client, so a replay to an
// unreachable Kafka fails (exit 5) before the session changes state
// instead of backing off forever.
func attachProducer(ctx context.Context, f *cmdutil.Factory, svc *replay.Service) error {
	w, err := f.Wiring(ctx)
	if err != nil {
		return err
	}
	cl, err := w.ReplayProducer(ctx, "replayctl")
	if err != nil {
		return err
	}
	svc.Kafka = cl
	return nil
}

// needsProducer reports whether running sess publishes to Kafka.
func needsProducer(sess *contract.Session) bool {
	return sess.Config.Target == contract.TargetKafka && !sess.DryRun
}

// ensureProducer attaches a producer when sess needs one and svc has none.
func ensureProducer(ctx context.Context, f *cmdutil.Factory, svc *replay.Service, sess *contract.Session) error {
	if svc.Kafka != nil || !needsProducer(sess) {
		return nil
	}
	return attachProducer(ctx, f, svc)
}

// checkTopics refuses, before anything changes, a Kafka replay of sess
// whose target topics do not exist, unless the session allows it. It
// needs a Kafka client even for --detach: a worker would only fail the
// session later.
func (b *baseOptions) checkTopics(ctx context.Context, svc *replay.Service, sess *contract.Session) error {
	if b.topicsChecked || !needsProducer(sess) || (sess.Replayctl != nil && sess.Replayctl.AllowMissingTopics) {
		return nil
	}
	if err := ensureProducer(ctx, b.Factory, svc, sess); err != nil {
		return err
	}
	if err := svc.CheckTopics(ctx, sess); err != nil {
		return err
	}
	b.topicsChecked = true
	return nil
}

// streamsToStdout reports whether running sess writes events to stdout, in
// which case every message of ours must go to stderr.
func streamsToStdout(sess *contract.Session) bool {
	return sess.Config.Target == contract.TargetFile && sess.Config.TargetFilePath != nil &&
		*sess.Config.TargetFilePath == "-"
}

// checkStdoutFree refuses machine output on stdout when the replayed events
// go there too: the two streams would interleave into something neither
// jq nor a JSON Lines reader can parse.
func checkStdoutFree(p *output.Printer, sess *contract.Session) error {
	if streamsToStdout(sess) && p.Format() != output.FormatTable {
		return usageHint(fmt.Sprintf("-o %s cannot be used while session %s writes its events to stdout (--out -)", p.Format(), sess.SessionID),
			"drop -o, or write the events to a file with --out PATH")
	}
	return nil
}
