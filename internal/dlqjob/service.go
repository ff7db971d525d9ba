package dlqjob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/audit"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/uuid"
)

// DefaultLeaseTTL is a holder's lease when Service.LeaseTTL is 0, as for
// replay sessions.
const DefaultLeaseTTL = 30 * time.Second

// Metrics receives a job's message outcomes; the worker implements it.
type Metrics interface {
	// Messages counts n messages of a kind of job with a result (done,
	// failed, refused, possible_duplicate).
	Messages(kind Kind, result string, n int64)
}

// Message results, the `result` label of replayctl_dlq_job_messages_total.
const (
	ResultDone              = "done"
	ResultFailed            = "failed"
	ResultRefused           = "refused"
	ResultPossibleDuplicate = "possible_duplicate"
)

// Service creates, lists, cancels and runs redrive jobs.
type Service struct {
	Store *store.Store
	// DLQ sends; it needs Kafka only to run jobs.
	DLQ *dlq.Manager
	// Owner names this process in leases and requests.
	Owner    string
	Now      func() time.Time
	LeaseTTL time.Duration
	Logger   *slog.Logger
	Metrics  Metrics
	// Audit, when set, records each job's end (dlq.job.finish).
	Audit *audit.Auditor
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (s *Service) owner() string {
	if s.Owner != "" {
		return s.Owner
	}
	return "replayctl"
}

func (s *Service) ttl() time.Duration {
	if s.LeaseTTL > 0 {
		return s.LeaseTTL
	}
	return DefaultLeaseTTL
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Spec is what an operator asks of a new job.
type Spec struct {
	Kind        Kind
	EventIDs    []string // full event ids; else Filter selects
	Filter      dlq.ListFilter
	Rate        float64
	ToTopic     string
	Reason      string
	RequestedBy string
}

// MinRate is the slowest a job may be paced, in messages per second: a
// paced message waits for its turn inside its chunk, where a cancel cannot
// reach it, so a slower job could not stop within 2 s of a cancel (nor
// checkpoint every 2 s).
const MinRate = 0.5

func (sp Spec) validate() error {
	switch {
	case sp.Kind != KindRetry && sp.Kind != KindDiscard:
		return fault.Invalidf("invalid job kind %q: want retry or discard", sp.Kind)
	case sp.Rate < 0:
		return fault.Invalidf("invalid rate %g: must be 0 (no cap) or more", sp.Rate)
	case sp.Rate > 0 && sp.Rate < MinRate:
		return fault.Invalidf("invalid rate %g: a job runs at %g messages per second or more (0 = no cap), so that it stops within 2 s of a cancel", sp.Rate, MinRate)
	case sp.Kind == KindDiscard && strings.TrimSpace(sp.Reason) == "":
		return fault.Invalidf("a discard job needs a reason")
	case sp.Kind == KindDiscard && sp.ToTopic != "":
		return fault.Invalidf("a discard job has no destination topic")
	}
	return nil
}

// Create stores a pending job for a worker (or `dlq jobs run`) to carry
// out, with to_move the number of messages it selects now.
func (s *Service) Create(ctx context.Context, sp Spec) (*Job, error) {
	if err := sp.validate(); err != nil {
		return nil, err
	}
	if err := s.Store.EnsureDLQJobIndexes(ctx); err != nil {
		s.log().Warn("cannot create the DLQ job indexes", "error", err)
	}
	j := &Job{
		ID: uuid.New(), Kind: sp.Kind, EventIDs: sp.EventIDs, Rate: sp.Rate, ToTopic: sp.ToTopic,
		Reason: strings.TrimSpace(sp.Reason), RequestedBy: sp.RequestedBy, CreatedAt: s.now(),
		Status: StatusPending, Errors: []JobError{},
	}
	if len(sp.EventIDs) == 0 {
		j.Filter = FilterOf(sp.Filter)
	}
	n, err := s.DLQ.CountForJob(ctx, j.selection())
	if err != nil {
		return nil, err
	}
	j.ToMove = n
	if err := s.Store.DLQJobs().Insert(ctx, j); err != nil {
		return nil, err
	}
	return j, nil
}

// Get resolves an id or unique prefix.
func (s *Service) Get(ctx context.Context, idOrPrefix string) (*Job, error) {
	raw, err := s.Store.DLQJobs().Resolve(ctx, strings.TrimSpace(idOrPrefix))
	if err != nil {
		return nil, err
	}
	var j Job
	if err := bson.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("DLQ job %s cannot be read: %w", store.DocID(raw), err)
	}
	return &j, nil
}

// List returns jobs, newest first, optionally of some statuses, and the
// documents that could not be read.
func (s *Service) List(ctx context.Context, statuses []Status, limit int64) (store.Page[Job], error) {
	q := bson.D{}
	if len(statuses) > 0 {
		q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: statuses}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}})
	if limit > 0 {
		opts.SetLimit(limit)
	}
	cur, err := s.Store.DLQJobs().Find(ctx, q, opts)
	if err != nil {
		return store.Page[Job]{}, err
	}
	items, skipped, err := store.DecodeEach[Job](ctx, cur, store.DLQJobsCollection, checkJob)
	if err != nil {
		return store.Page[Job]{}, fmt.Errorf("read DLQ jobs: %w", err)
	}
	if items == nil {
		items = []Job{}
	}
	return store.Page[Job]{Items: items, Total: int64(len(items)), Skipped: skipped}, nil
}

func checkJob(j *Job) error {
	if j.ID == "" || !j.Status.Valid() {
		return errors.New("not a replayctl DLQ job (no job id or an unknown status)")
	}
	return nil
}

// Runnable lists the jobs a worker may run: pending ones, and running or
// cancelling ones whose holder may be gone (the lease decides).
func (s *Service) Runnable(ctx context.Context) ([]Job, error) {
	page, err := s.List(ctx, []Status{StatusPending, StatusRunning, StatusCancelling}, 0)
	if err != nil {
		return nil, err
	}
	for _, sk := range page.Skipped {
		s.log().Warn("passing over an unreadable DLQ job", "id", sk.ID, "error", sk.Err)
	}
	// Oldest first: jobs are served in the order they were asked for.
	items := page.Items
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return items, nil
}

// CountByStatus counts the jobs by status (for the worker's metrics; the
// collection is small, so it is read whole).
func (s *Service) CountByStatus(ctx context.Context) (map[string]int64, error) {
	page, err := s.List(ctx, nil, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, j := range page.Items {
		out[string(j.Status)]++
	}
	return out, nil
}
