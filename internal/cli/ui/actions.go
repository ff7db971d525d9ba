package uicmd

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	dlqcmd "github.com/integr8scode/replayctl/internal/cli/dlq"
	jobscmd "github.com/integr8scode/replayctl/internal/cli/dlq/jobs"
	replaycmd "github.com/integr8scode/replayctl/internal/cli/replay"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/output"
)

// NewActions returns the dashboard's actions: each one is the matching
// command's code path (replay pause|resume --detach|cancel, dlq
// retry|discard|edit, dlq jobs cancel), audited with the settings' actor
// like the command, and reports one line instead of printing. It sets
// f.Warnings: a warning the command would print (a lost audit outcome)
// ends the result line of the action that caused it instead.
func NewActions(f *cmdutil.Factory) dashboard.Actions {
	w := &warnings{}
	f.Warnings = w
	return &actions{f: f, warn: w}
}

type actions struct {
	f    *cmdutil.Factory
	warn *warnings

	mu sync.Mutex
	// dlq is built once with its producer: every retry or discard sends,
	// and a client per action would pile up until the dashboard exits.
	dlq *dlq.Manager
	// producer is the replay producer resumes check topics with, built
	// once for the same reason.
	producer *kgo.Client
	drafts   drafts // edit files not yet saved or given up
}

// replayProducer is the Kafka client a resume checks the session's topics
// with; a failed attempt leaves nothing open (wiring closes it).
func (a *actions) replayProducer(ctx context.Context) (*kgo.Client, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.producer != nil {
		return a.producer, nil
	}
	w, err := a.f.Wiring(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := w.ReplayProducer(ctx, "replayctl")
	if err != nil {
		return nil, err
	}
	a.producer = cl
	return cl, nil
}

// sender is the DLQ manager with a producer, for retries and discards.
func (a *actions) sender(ctx context.Context) (*dlq.Manager, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.dlq != nil {
		return a.dlq, nil
	}
	m, err := dlqcmd.NewManager(ctx, a.f, true)
	if err != nil {
		return nil, err
	}
	a.dlq = m
	return m, nil
}

func (a *actions) PauseSession(ctx context.Context, id string) (string, error) {
	return a.warn.noted(a.pause(ctx, id))
}

func (a *actions) pause(ctx context.Context, id string) (string, error) {
	s, err := replaycmd.Pause(ctx, a.f, id)
	if err != nil {
		return "", err
	}
	return sessionLine("Paused", s), nil
}

func (a *actions) CancelSession(ctx context.Context, id string) (string, error) {
	return a.warn.noted(a.cancelSession(ctx, id))
}

func (a *actions) cancelSession(ctx context.Context, id string) (string, error) {
	s, err := replaycmd.Cancel(ctx, a.f, id)
	if err != nil {
		return "", err
	}
	return sessionLine("Cancelled", s), nil
}

func (a *actions) ResumeSession(ctx context.Context, id string) (string, error) {
	return a.warn.noted(a.resume(ctx, id))
}

func (a *actions) resume(ctx context.Context, id string) (string, error) {
	s, err := replaycmd.ResumeDetached(ctx, a.f, id, a.replayProducer)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Resumed session %s; a worker will run it", output.ShortID(s.SessionID)), nil
}

// sessionLine: "Paused session 3f1c9a1e2b4d at event 120/500".
func sessionLine(verb string, s *contract.Session) string {
	done := s.ReplayedEvents + s.FailedEvents + s.SkippedEvents
	return fmt.Sprintf("%s session %s at event %d/%d", verb, output.ShortID(s.SessionID), done, s.TotalEvents)
}

func (a *actions) CancelJob(ctx context.Context, id string) (string, error) {
	return a.warn.noted(a.cancelJob(ctx, id))
}

func (a *actions) cancelJob(ctx context.Context, id string) (string, error) {
	j, how, err := jobscmd.Cancel(ctx, a.f, id, "")
	if err != nil {
		return "", err
	}
	if how == dlqjob.CancelApplied {
		return fmt.Sprintf("Cancelled job %s (%d of %d messages done)", output.ShortID(j.ID), j.Done, j.ToMove), nil
	}
	return fmt.Sprintf("Asked the holder of job %s (%s) to stop", output.ShortID(j.ID), j.Holder.Owner), nil
}

// resolve turns a selection into event ids: the marked ones, or the
// retryable messages of an error group (at most dlq.MaxGroupSelection,
// newest failures first) with how many the group matched.
func (a *actions) resolve(ctx context.Context, m *dlq.Manager, sel dashboard.Selection) ([]string, int64, error) {
	if sel.ErrorPattern == "" {
		if len(sel.EventIDs) == 0 {
			return nil, 0, fmt.Errorf("no DLQ messages selected")
		}
		return sel.EventIDs, int64(len(sel.EventIDs)), nil
	}
	g, err := m.SelectGroup(ctx, sel.ErrorPattern, dlq.MaxGroupSelection)
	if err != nil {
		return nil, 0, err
	}
	return g.EventIDs, g.Matched, nil
}

// reader is a DLQ manager without Kafka: counting and editing must work
// while Kafka is down.
func (a *actions) reader(ctx context.Context) (*dlq.Manager, error) {
	return dlqcmd.NewManager(ctx, a.f, false)
}

// Count is how many messages the action would act on now: the marked
// messages still pending or scheduled, or the group's (bounded as the
// action is).
func (a *actions) Count(ctx context.Context, sel dashboard.Selection) (int64, error) {
	m, err := a.reader(ctx)
	if err != nil {
		return 0, err
	}
	if sel.ErrorPattern != "" {
		ids, _, err := a.resolve(ctx, m, sel)
		return int64(len(ids)), err
	}
	if len(sel.EventIDs) == 0 {
		return 0, nil
	}
	_, n, err := m.List(ctx, dlq.ListFilter{EventIDs: sel.EventIDs,
		Statuses: []contract.DLQStatus{contract.DLQPending, contract.DLQScheduled}})
	if err != nil {
		return 0, fmt.Errorf("count selected DLQ messages: %w", err)
	}
	return n, nil
}

func (a *actions) Retry(ctx context.Context, sel dashboard.Selection) (string, error) {
	return a.warn.noted(a.batch(ctx, sel, false, ""))
}

func (a *actions) Discard(ctx context.Context, sel dashboard.Selection, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", fmt.Errorf("a discard needs a reason")
	}
	return a.warn.noted(a.batch(ctx, sel, true, reason))
}

func (a *actions) batch(ctx context.Context, sel dashboard.Selection, discard bool, reason string) (string, error) {
	// Selecting reads only MongoDB: a group too large to act on here
	// becomes a job without needing Kafka.
	r, err := a.reader(ctx)
	if err != nil {
		return "", err
	}
	ids, matched, err := a.resolve(ctx, r, sel)
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "No pending or scheduled messages in this error group", nil
	}
	req := dlqcmd.BatchRequest{Discard: discard, IDs: ids, Reason: reason, Group: sel.ErrorPattern, Matched: matched}
	var line string
	if sel.ErrorPattern != "" && len(ids) > dashboard.MaxSyncGroup {
		line, err = dlqcmd.DetachBatch(ctx, a.f, r, req)
	} else {
		line, err = a.apply(ctx, req)
	}
	if err == nil && matched > int64(len(ids)) {
		line += fmt.Sprintf(" (the newest %d of the group's %d; run again for the rest)", len(ids), matched)
	}
	return line, err
}

// apply retries or discards the selection in this process.
func (a *actions) apply(ctx context.Context, req dlqcmd.BatchRequest) (string, error) {
	m, err := a.sender(ctx)
	if err != nil {
		return "", err
	}
	return dlqcmd.ApplyBatch(ctx, a.f, m, req)
}
