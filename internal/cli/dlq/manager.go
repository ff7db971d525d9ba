package dlqcmd

import (
	"context"
	"log/slog"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/output"
)

// managerNeeds says which clients a command needs beyond MongoDB.
type managerNeeds struct {
	Kafka    bool // produce (retry, discard, process)
	Consumer bool // join a consumer group on the DLQ topic (process)
	Debug    bool // log to stderr
}

// printerAndManager is the preamble of every verb. The printer comes first,
// so a bad -o exits 2 before anything is dialled; --debug comes from o.
func (o *cmdOptions) printerAndManager(ctx context.Context, needs managerNeeds) (*output.Printer, *dlq.Manager, error) {
	p, err := o.Factory.Printer()
	if err != nil {
		return nil, nil, err
	}
	needs.Debug = o.Debug
	m, err := newManager(ctx, o.Factory, needs)
	if err != nil {
		return nil, nil, err
	}
	return p, m, nil
}

// newManager builds the manager through the factory's wiring, the one
// place every command and the worker assemble it.
func newManager(ctx context.Context, f *cmdutil.Factory, needs managerNeeds) (*dlq.Manager, error) {
	w, err := f.Wiring(ctx)
	if err != nil {
		return nil, err
	}
	w.Logger = logger(f, needs.Debug)
	m := w.DLQManager()
	if needs.Kafka {
		if m.Kafka, err = w.DLQProducer(ctx, "replayctl-dlq"); err != nil {
			return nil, err
		}
	}
	if needs.Consumer {
		m.NewConsumer = w.DLQConsumers("replayctl-dlq-processor")
	}
	return m, nil
}

func logger(f *cmdutil.Factory, debug bool) *slog.Logger {
	if !debug {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
