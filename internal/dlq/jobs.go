package dlq

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// Redrive jobs (package dlqjob) send through the same chunk path as a
// foreground retry or discard, with the same claims, so a job, a
// foreground command and the DLQ processor never act on one round of a
// message twice. What jobs add is a claim purpose naming the job and the
// holder's lease epoch ("job:<job_id>@<epoch>"): a later holder of the
// same job takes those claims over at once instead of waiting out their
// 5-minute lease, and reports the messages as possible duplicates.

const jobPurposePrefix = "job:"

// JobPurpose is the claim purpose of a job's holder at a lease epoch.
func JobPurpose(jobID string, epoch int64) string {
	return jobPurposePrefix + jobID + "@" + strconv.FormatInt(epoch, 10)
}

func isJobPurpose(p string) bool { return strings.HasPrefix(p, jobPurposePrefix) }

func parseJobPurpose(p string) (string, int64, bool) {
	if !isJobPurpose(p) {
		return "", 0, false
	}
	rest := p[len(jobPurposePrefix):]
	i := strings.LastIndexByte(rest, '@')
	if i <= 0 {
		return "", 0, false
	}
	epoch, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return rest[:i], epoch, true
}

// inherits reports whether a claim with purpose mine may take over a live
// claim with purpose cur: both belong to one job and cur to an earlier
// lease epoch, whose holder has lost the job (its lease lapsed, so it
// sends nothing more) and whose chunk in flight is now the new holder's.
func inherits(mine, cur string) bool {
	job, epoch, ok := parseJobPurpose(mine)
	if !ok {
		return false
	}
	curJob, curEpoch, ok := parseJobPurpose(cur)
	return ok && curJob == job && curEpoch < epoch
}

// Position is where a job's scan stands: the last message handled, in
// (failed_at, _id) order.
type Position struct {
	FailedAt time.Time     `bson:"failed_at" json:"failed_at"`
	ID       bson.ObjectID `bson:"id" json:"id"`
}

// JobSelection is what a job acts on: the filter's messages (or the given
// event ids) in a retryable state that failed at or before Before.
type JobSelection struct {
	Filter   ListFilter
	EventIDs []string
	Before   time.Time
}

// retryable are the states a job acts on.
var retryable = []contract.DLQStatus{contract.DLQPending, contract.DLQScheduled}

// Query is the selection as a MongoDB query, after pos when given.
func (s JobSelection) Query(after *Position) bson.D {
	f := s.Filter
	f.Limit, f.Offset = 0, 0
	f.Statuses = retryableOf(f.Statuses)
	if len(s.EventIDs) > 0 {
		f.EventIDs = s.EventIDs
	}
	before := s.Before.UTC()
	if f.Until == nil || f.Until.After(before) {
		f.Until = &before
	}
	q := f.query()
	if after != nil {
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "failed_at", Value: bson.D{{Key: "$gt", Value: after.FailedAt.UTC()}}}},
			bson.D{{Key: "failed_at", Value: after.FailedAt.UTC()}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: after.ID}}}},
		}})
	}
	return q
}

// retryableOf narrows the statuses asked for to the retryable ones (all of
// them when none were asked for); a filter asking only for terminal ones
// selects nothing.
func retryableOf(asked []contract.DLQStatus) []contract.DLQStatus {
	if len(asked) == 0 {
		return retryable
	}
	var out []contract.DLQStatus
	for _, s := range asked {
		if !s.Terminal() {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return []contract.DLQStatus{"none"}
	}
	return out
}

// CountForJob counts the messages a job would act on now.
func (m *Manager) CountForJob(ctx context.Context, s JobSelection) (int64, error) {
	var n int64
	err := store.WithRetry(ctx, func(ctx context.Context) error {
		var err error
		n, err = m.Store.DLQ.Collection().CountDocuments(ctx, s.Query(nil))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count DLQ messages for the job: %w", store.Wrap(err))
	}
	return n, nil
}

// JobScan reads a job's messages with one long cursor in (failed_at, _id)
// order (EMBEDDED.md: one cursor, not a query per page). A document that
// cannot be read is counted in Skipped and passed over.
type JobScan struct {
	cur     *mongo.Cursor
	Skipped int64
}

// ScanForJob opens the scan after pos (nil = from the start).
func (m *Manager) ScanForJob(ctx context.Context, s JobSelection, after *Position) (*JobScan, error) {
	opts := options.Find().SetSort(bson.D{{Key: "failed_at", Value: 1}, {Key: "_id", Value: 1}}).SetBatchSize(1000)
	cur, err := m.Store.DLQ.Find(ctx, s.Query(after), opts)
	if err != nil {
		return nil, fmt.Errorf("select the job's DLQ messages: %w", store.Wrap(err))
	}
	return &JobScan{cur: cur}, nil
}

// Next returns up to n messages and the position of the last one read
// (readable or not); none at the end.
func (s *JobScan) Next(ctx context.Context, n int) ([]contract.DLQMessage, *Position, error) {
	var out []contract.DLQMessage
	var last *Position
	for len(out) < n && s.cur.Next(ctx) {
		var pos struct {
			ID       bson.ObjectID `bson:"_id"`
			FailedAt time.Time     `bson:"failed_at"`
		}
		if err := bson.Unmarshal(s.cur.Current, &pos); err == nil {
			last = &Position{FailedAt: pos.FailedAt.UTC(), ID: pos.ID}
		}
		var msg contract.DLQMessage
		if err := bson.Unmarshal(s.cur.Current, &msg); err != nil || normalizeMessage(&msg) != nil {
			s.Skipped++
			continue
		}
		out = append(out, msg)
	}
	if err := s.cur.Err(); err != nil {
		return out, last, fmt.Errorf("read the job's DLQ messages: %w", store.Wrap(err))
	}
	return out, last, nil
}

// Close ends the scan.
func (s *JobScan) Close(ctx context.Context) { _ = s.cur.Close(ctx) }

// JobSender sends a job's chunks: one pacer across chunks, claims under
// the job's purpose.
type JobSender struct {
	m       *Manager
	purpose string
	toTopic string
	reason  string
	pc      *pacer
}

// NewJobSender prepares sends for one holder of a job.
func (m *Manager) NewJobSender(purpose, toTopic, reason string, rate float64) (*JobSender, error) {
	o := BatchOptions{ToTopic: toTopic, Rate: rate}
	if err := o.validate(); err != nil {
		return nil, err
	}
	if err := m.requireKafka("a redrive job"); err != nil {
		return nil, err
	}
	return &JobSender{m: m, purpose: purpose, toTopic: toTopic, reason: reason, pc: newPacer(rate)}, nil
}

// Retry claims, sends and marks retried one chunk.
func (s *JobSender) Retry(ctx context.Context, msgs []contract.DLQMessage) (*BatchResult, error) {
	res := &BatchResult{}
	items, refusals, err := s.m.retryChunk(ctx, msgs, s.toTopic, s.pc, s.purpose)
	res.add(items, refusals)
	return res, err
}

// Discard claims and marks discarded one chunk.
func (s *JobSender) Discard(ctx context.Context, msgs []contract.DLQMessage) (*BatchResult, error) {
	reason := strings.TrimSpace(s.reason)
	if reason == "" {
		reason = "redrive job"
	}
	if !strings.HasPrefix(reason, ManualReasonPrefix) {
		reason = ManualReasonPrefix + reason
	}
	res := &BatchResult{}
	items, refusals, err := s.m.discardChunkAs(ctx, msgs, reason, s.purpose)
	res.add(items, refusals)
	return res, err
}

// MessagesByIDs re-reads messages by exact event id (a job's chunk in
// flight at a takeover).
func (m *Manager) MessagesByIDs(ctx context.Context, ids []string) ([]contract.DLQMessage, error) {
	byID, err := m.byIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]contract.DLQMessage, 0, len(ids))
	for _, id := range ids {
		if msg, ok := byID[id]; ok {
			out = append(out, msg)
		}
	}
	return out, nil
}
