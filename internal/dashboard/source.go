package dashboard

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/wiring"
)

// SourceConfig is what the dashboard reads through. The connections are
// functions because MongoDB or Kafka may be down when the dashboard
// starts: each refresh asks again until they answer (cmdutil.Factory's
// Wiring and Kafka keep a connection once it succeeded).
type SourceConfig struct {
	Context string   // the config context's name, for the header
	Brokers []string // named in Kafka errors
	Wiring  func(ctx context.Context) (*wiring.Wiring, error)
	Kafka   func(ctx context.Context) (*kgo.Client, error)
}

// NewSource returns the dashboard's queries: the ones `status` (pings
// only), `replay list|show`, `dlq topics|errors|list|show` and `dlq jobs
// list` make, each bounded by a limit and by ctx's deadline.
//
// Per refresh, the MongoDB commands are: Ping 1 (plus 1 Kafka ApiVersions
// request); Sessions 2 (the list and the live run leases of the listed
// sessions); Session 3 (the session, its latest lease, its pending
// requests); DLQTopics 1; ErrorGroups 1; Messages 1, or 2 when the page is
// full (the count); Message 3 (the message, the policy override, the edit
// history); Jobs 1; Workers 2 (live session leases, live job leases).
// A cursor longer than one batch adds getMore commands.
func NewSource(c SourceConfig) Source { return &source{cfg: c} }

type source struct {
	cfg SourceConfig

	mu   sync.Mutex
	svcs *services
}

// services are built once MongoDB answered, and reused by every refresh.
type services struct {
	replay *replay.Service
	dlq    *dlq.Manager
	jobs   *dlqjob.Service
}

func (s *source) services(ctx context.Context) (*services, error) {
	s.mu.Lock()
	svcs := s.svcs
	s.mu.Unlock()
	if svcs != nil {
		return svcs, nil
	}
	// The dial runs without the lock: a view call queued behind another
	// one still dialling would wait past its own deadline in Lock.
	w, err := s.wiring(ctx)
	if err != nil {
		return nil, err
	}
	m := w.DLQManager()
	built := &services{replay: w.ReplayService(), dlq: m, jobs: w.DLQJobs(m)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.svcs == nil {
		s.svcs = built
	}
	return s.svcs, nil
}

// wiring connects (or reuses the connection) within ctx's deadline.
func (s *source) wiring(ctx context.Context) (*wiring.Wiring, error) {
	return within(ctx, s.cfg.Wiring)
}

// within returns what connect returns, or ctx's error once ctx ends,
// whichever comes first. A connection is made under a lock (one dial per
// server), so a refresh whose deadline is near must not queue behind
// another one still dialling a server that does not answer; the dial
// left behind ends with its own caller's deadline.
func within[T any](ctx context.Context, connect func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := connect(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("connect: %w", ctx.Err())
	}
}

func (s *source) Ping(ctx context.Context) Health {
	h := Health{Context: s.cfg.Context}
	began := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { h.Mongo = s.pingMongo(ctx) })
	wg.Go(func() { h.Kafka = s.pingKafka(ctx) })
	wg.Wait()
	h.Took = time.Since(began)
	return h
}

func (s *source) pingMongo(ctx context.Context) error {
	w, err := s.wiring(ctx)
	if err != nil {
		return err
	}
	return w.Store.Ping(ctx)
}

func (s *source) pingKafka(ctx context.Context) error {
	cl, err := within(ctx, s.cfg.Kafka)
	if err != nil {
		return err
	}
	return kafka.Ping(ctx, cl, s.cfg.Brokers)
}

func (s *source) Sessions(ctx context.Context, limit int64) ([]SessionRow, error) {
	svc, err := s.services(ctx)
	if err != nil {
		return nil, err
	}
	page, err := svc.replay.List(ctx, nil, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	ids := make([]string, len(page.Items))
	for i := range page.Items {
		ids[i] = page.Items[i].SessionID
	}
	holders, _, err := svc.replay.Holders(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read the holders of %d sessions: %w", len(ids), err)
	}
	rows := make([]SessionRow, len(page.Items))
	for i := range page.Items {
		rows[i].Session = page.Items[i]
		if l, ok := holders[ids[i]]; ok {
			rows[i].Holder = &l
		}
	}
	return rows, nil
}

func (s *source) Session(ctx context.Context, id string) (*replay.Info, error) {
	svc, err := s.services(ctx)
	if err != nil {
		return nil, err
	}
	info, err := svc.replay.Info(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load session %s: %w", id, err)
	}
	return info, nil
}

func (s *source) DLQTopics(ctx context.Context) ([]dlq.TopicSummary, error) {
	svc, err := s.services(ctx)
	if err != nil {
		return nil, err
	}
	topics, err := svc.dlq.Topics(ctx, dlq.ListFilter{})
	if err != nil {
		return nil, fmt.Errorf("summarise DLQ topics: %w", err)
	}
	return topics, nil
}

func (s *source) ErrorGroups(ctx context.Context, limit int64) ([]dlq.ErrorGroup, error) {
	svc, err := s.services(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := svc.dlq.Errors(ctx, dlq.ListFilter{Limit: max(limit, 1), Sort: dlq.SortLastSeen})
	if err != nil {
		return nil, fmt.Errorf("group DLQ errors: %w", err)
	}
	return groups, nil
}

func (s *source) Messages(ctx context.Context, f dlq.ListFilter) ([]contract.DLQMessage, int64, error) {
	svc, err := s.services(ctx)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		// A view shows a screenful; an unbounded read is never meant.
		f.Limit = DefaultMessageLimit
	}
	msgs, total, err := svc.dlq.List(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list DLQ messages: %w", err)
	}
	return msgs, total, nil
}

// DefaultMessageLimit bounds a messages query whose filter has no limit.
const DefaultMessageLimit = 200

func (s *source) Message(ctx context.Context, id string) (*MessageDetail, error) {
	svc, err := s.services(ctx)
	if err != nil {
		return nil, err
	}
	msg, _, err := svc.dlq.Inspect(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load DLQ message %s: %w", id, err)
	}
	pol, err := svc.dlq.ResolvePolicy(ctx, msg.OriginalTopic, msg.EventType())
	if err != nil {
		return nil, fmt.Errorf("resolve retry policy for topic %s: %w", msg.OriginalTopic, err)
	}
	edits, err := svc.dlq.Edits(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("read the edits of DLQ message %s: %w", msg.EventID(), err)
	}
	return &MessageDetail{Message: *msg, Policy: pol, Edits: edits}, nil
}

func (s *source) Jobs(ctx context.Context, limit int64) ([]JobRow, error) {
	svc, err := s.services(ctx)
	if err != nil {
		return nil, err
	}
	page, err := svc.jobs.List(ctx, nil, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("list DLQ jobs: %w", err)
	}
	rows := make([]JobRow, len(page.Items))
	var live []string
	for i, j := range page.Items {
		rows[i].Job = j
		if !j.Status.Terminal() {
			live = append(live, j.ID)
		}
	}
	if len(live) == 0 {
		return rows, nil
	}
	asked, err := svc.jobs.CancelsRequested(ctx, live)
	if err != nil {
		return nil, fmt.Errorf("read the cancel requests of DLQ jobs: %w", err)
	}
	for i := range rows {
		rows[i].CancelRequested = asked[rows[i].ID] // only live jobs were asked about
	}
	return rows, nil
}
