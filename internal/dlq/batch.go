package dlq

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
)

// Plan is what a retry or discard would act on, built before anything is
// written so the CLI can show it and ask for confirmation.
type Plan struct {
	// Messages are the eligible (non-terminal) messages, in selection order.
	Messages []contract.DLQMessage
	// Refused are the terminal messages that were selected by id.
	Refused []Refusal
	// ByTopic counts eligible messages per destination topic.
	ByTopic map[string]int
	// ToTopic is the destination override the plan was built with ("" =
	// each message's original_topic).
	ToTopic string
	// Skipped are the stored documents a selection by filter could not
	// read: not acted on, and told to the operator.
	Skipped []store.Skipped
}

// Refusal is a message that will not be (or was not) acted on, and why.
type Refusal struct {
	EventID string             `json:"event_id" yaml:"event_id"`
	Status  contract.DLQStatus `json:"status" yaml:"status"`
	Reason  string             `json:"reason" yaml:"reason"`
}

// BatchOptions control Retry and Discard.
type BatchOptions struct {
	// ToTopic overrides the destination (a full topic name); "" = the plan's.
	ToTopic string
	// Rate caps retries per second; 0 = no cap.
	Rate float64
	// DryRun claims, sends and writes nothing: Results list what would be
	// done, counted as Succeeded.
	DryRun bool
	// Progress is called from the calling goroutine after each chunk.
	Progress func(done, failed int64)
}

// ItemResult is the outcome for one message that was attempted.
type ItemResult struct {
	EventID    string `json:"event_id" yaml:"event_id"`
	Topic      string `json:"topic" yaml:"topic"`
	OK         bool   `json:"ok" yaml:"ok"`
	Error      string `json:"error,omitempty" yaml:"error,omitempty"`
	RetryCount int64  `json:"retry_count" yaml:"retry_count"`
	// TakenOver: a job took this message's claim over from an earlier
	// holder that may have sent it already (a possible duplicate).
	TakenOver bool `json:"-" yaml:"-"`
}

// BatchResult sums up a Retry or Discard. Refusals holds the plan's refusals
// plus messages skipped at send time because another process held them or
// they had changed since the plan was made; Refused = len(Refusals).
type BatchResult struct {
	Results   []ItemResult `json:"results" yaml:"results"`
	Refusals  []Refusal    `json:"refusals" yaml:"refusals"`
	Succeeded int64        `json:"succeeded" yaml:"succeeded"`
	Failed    int64        `json:"failed" yaml:"failed"`
	Refused   int64        `json:"refused" yaml:"refused"`
}

func (r *BatchResult) add(items []ItemResult, refusals []Refusal) {
	r.Results = append(r.Results, items...)
	r.Refusals = append(r.Refusals, refusals...)
	for _, it := range items {
		if it.OK {
			r.Succeeded++
		} else {
			r.Failed++
		}
	}
	r.Refused = int64(len(r.Refusals))
}

const maxChunk = 500

func chunkSize(rate float64) int {
	if rate <= 0 {
		return maxChunk
	}
	// About one second of sends per chunk keeps claims well inside their
	// lease and progress reports frequent.
	return min(max(int(rate), 1), maxChunk)
}

func (o BatchOptions) validate() error {
	if o.Rate < 0 {
		return fault.Invalidf("invalid rate %g: must be 0 (no cap) or more", o.Rate)
	}
	if o.ToTopic != "" {
		return validateTopicName(o.ToTopic)
	}
	return nil
}

func destination(p *Plan, o BatchOptions) string {
	if o.ToTopic != "" {
		return o.ToTopic
	}
	return p.ToTopic
}

func topicFor(msg *contract.DLQMessage, to string) string {
	if to != "" {
		return to
	}
	return msg.OriginalTopic
}

// Retry publishes every eligible message of the plan (see retryChunk).
// Broker failures fail single items; a storage failure stops the batch and
// is returned with the results so far.
func (m *Manager) Retry(ctx context.Context, p *Plan, o BatchOptions) (*BatchResult, error) {
	if p == nil {
		return nil, errors.New("dlq: Retry needs a plan")
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	to := destination(p, o)
	res := &BatchResult{}
	res.add(nil, p.Refused)
	if o.DryRun {
		res.add(dryRun(p.Messages, to, 1), nil)
		return res, nil
	}
	if err := m.requireKafka("retry"); err != nil {
		return res, err
	}
	pc := newPacer(o.Rate)
	err := m.chunks(ctx, p.Messages, chunkSize(o.Rate), res, o.Progress, func(ctx context.Context, msgs []contract.DLQMessage) ([]ItemResult, []Refusal, error) {
		return m.retryChunk(ctx, msgs, to, pc, purposeRetry)
	})
	return res, err
}

// Discard marks every eligible message of the plan discarded with reason
// "manual: <reason>" and emits dlq_message_discarded.
func (m *Manager) Discard(ctx context.Context, p *Plan, reason string, o BatchOptions) (*BatchResult, error) {
	if p == nil {
		return nil, errors.New("dlq: Discard needs a plan")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, fault.Invalidf("a discard reason is required")
	}
	if !strings.HasPrefix(reason, ManualReasonPrefix) {
		reason = ManualReasonPrefix + reason
	}
	res := &BatchResult{}
	res.add(nil, p.Refused)
	if o.DryRun {
		res.add(dryRun(p.Messages, "", 0), nil)
		return res, nil
	}
	if err := m.requireKafka("discard"); err != nil {
		return res, err
	}
	err := m.chunks(ctx, p.Messages, maxChunk, res, o.Progress, func(ctx context.Context, msgs []contract.DLQMessage) ([]ItemResult, []Refusal, error) {
		return m.discardChunk(ctx, msgs, reason)
	})
	return res, err
}

func dryRun(msgs []contract.DLQMessage, to string, inc int64) []ItemResult {
	out := make([]ItemResult, len(msgs))
	for i := range msgs {
		out[i] = ItemResult{EventID: msgs[i].EventID(), Topic: topicFor(&msgs[i], to), OK: true, RetryCount: msgs[i].RetryCount + inc}
	}
	return out
}

type chunkFunc func(ctx context.Context, msgs []contract.DLQMessage) ([]ItemResult, []Refusal, error)

// chunks runs fn over msgs in chunks. A chunk in flight finishes even when
// ctx is cancelled (its claims, sends and status updates belong together);
// cancellation stops before the next chunk. Chunks shrink when the server is
// slow (on FerretDB every status update scans the collection), so a chunk's
// work stays well inside the claims' lease.
func (m *Manager) chunks(ctx context.Context, msgs []contract.DLQMessage, size int, res *BatchResult, progress func(done, failed int64), fn chunkFunc) error {
	limit := size
	for start := 0; start < len(msgs); {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped after %d of %d messages: %w", start, len(msgs), err)
		}
		end := min(start+size, len(msgs))
		began := time.Now()
		items, refusals, err := fn(ctx, msgs[start:end])
		res.add(items, refusals)
		if progress != nil {
			progress(res.Succeeded+res.Failed, res.Failed)
		}
		if err != nil {
			return err
		}
		size = m.nextChunk(limit, end-start, time.Since(began))
		start = end
	}
	return nil
}

// nextChunk sizes the next chunk to take about a third of the claim lease.
func (m *Manager) nextChunk(limit, n int, took time.Duration) int {
	per := took / time.Duration(max(n, 1))
	if per <= 0 {
		return limit
	}
	return min(max(int(m.claimTTL()/3/per), 1), limit)
}
