package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/uuid"
)

var errNotRecord = errors.New("not an audit record: _id, action or at missing")

// Auditor writes and reads the audit trail of one process.
type Auditor struct {
	Store *store.Store
	// Actor is who the process acts for (config.Settings.Actor).
	Actor string
	// Version is replayctl's version, Host the machine it runs on.
	Version string
	Host    string
	Now     func() time.Time
	// Timeout bounds writing an intent: the store retries a busy or
	// unreachable server until its context ends, and a command must not
	// hang before acting because the trail is down (default 10 s).
	Timeout time.Duration
}

// Hostname is the host recorded when none is configured.
func Hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown-host"
	}
	return h
}

func (a *Auditor) timeout() time.Duration {
	if a.Timeout <= 0 {
		return 10 * time.Second
	}
	return a.Timeout
}

func (a *Auditor) now() time.Time {
	if a.Now == nil {
		return time.Now().UTC()
	}
	return a.Now().UTC()
}

// Begin writes the intent with outcome unknown and returns the record to
// Finish. When it cannot be written the caller must not act: the error is
// of kind Unavailable and says that nothing was done.
func (a *Auditor) Begin(ctx context.Context, in Intent) (*Record, error) {
	rec := &Record{
		ID: uuid.New(), At: a.now().Truncate(time.Millisecond), Actor: a.Actor, Action: in.Action,
		Targets: in.Targets, Filter: in.Filter, Matched: in.Matched, Params: in.Params, Reason: in.Reason,
		Outcome: Unknown, Version: a.Version, Host: a.Host,
	}
	if rec.Targets == nil {
		rec.Targets = []string{}
	}
	if n := len(rec.Targets); n > MaxTargets {
		rec.Targets, rec.TargetsOmitted = rec.Targets[:MaxTargets:MaxTargets], n-MaxTargets
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout())
	defer cancel()
	if err := a.Store.Audit().Insert(ctx, rec); err != nil {
		return nil, fault.New(fault.Unavailable,
			fmt.Errorf("cannot write the audit record of %s, so nothing was done: %w", in.Action, err))
	}
	return rec, nil
}

// Finish writes the outcome of rec, which this process inserted: the only
// writer of the document, so a plain update is safe on every server.
func (a *Auditor) Finish(ctx context.Context, rec *Record, out Outcome) error {
	done := a.now().Truncate(time.Millisecond)
	rec.Outcome, rec.Counts, rec.Error, rec.FinishedAt = out.Status, out.Counts, out.Error, &done
	fields := bson.D{{Key: "outcome", Value: out.Status}, {Key: "finished_at", Value: done}}
	if out.Counts != nil {
		fields = append(fields, bson.E{Key: "counts", Value: out.Counts})
	}
	if out.Error != "" {
		fields = append(fields, bson.E{Key: "error", Value: out.Error})
	}
	if len(out.Targets) > 0 {
		rec.Targets = append(rec.Targets, out.Targets...)
		fields = append(fields, bson.E{Key: "targets", Value: rec.Targets})
	}
	repo := a.Store.Audit()
	if err := repo.Set(ctx, rec.ID, fields); err != nil {
		return fmt.Errorf("record the outcome of %s (audit record %s stays %q): %w", rec.Action, rec.ID, Unknown, err)
	}
	// Here, not before acting: the indexes only speed up reading the trail,
	// so neither their cost nor a role without createIndex may delay or
	// stop an action.
	_ = repo.EnsureIndexes(ctx)
	return nil
}

// List returns the records q selects, newest first, decoded one by one: a
// document that is not a record is skipped and reported. Total counts
// every match before the limit.
func (a *Auditor) List(ctx context.Context, q Query) (store.Page[Record], error) {
	repo := a.Store.Audit()
	cur, err := repo.Find(ctx, q.filter(), q.Limit)
	if err != nil {
		return store.Page[Record]{}, err
	}
	items, skipped, err := store.DecodeEach(ctx, cur, store.AuditCollection, (*Record).check)
	if err != nil {
		return store.Page[Record]{}, fmt.Errorf("read %s: %w", store.AuditCollection, err)
	}
	total := int64(len(items) + len(skipped))
	if q.Limit > 0 && total >= q.Limit {
		if total, err = repo.Count(ctx, q.filter()); err != nil {
			return store.Page[Record]{}, err
		}
	}
	return store.Page[Record]{Items: items, Total: total, Skipped: skipped}, nil
}

// Show returns the record whose id starts with prefix.
func (a *Auditor) Show(ctx context.Context, prefix string) (*Record, error) {
	raw, err := a.Store.Audit().Resolve(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var rec Record
	if err := bson.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("%s document %s: %w", store.AuditCollection, store.DocID(raw), err)
	}
	if err := rec.check(); err != nil {
		return nil, fmt.Errorf("%s document %s: %w", store.AuditCollection, store.DocID(raw), err)
	}
	return &rec, nil
}

// CountBefore counts the records older than t, for prune's confirmation.
func (a *Auditor) CountBefore(ctx context.Context, t time.Time) (int64, error) {
	return a.Store.Audit().Count(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: t.UTC()}}}})
}

// PruneBefore deletes the records older than t and returns how many.
func (a *Auditor) PruneBefore(ctx context.Context, t time.Time) (int64, error) {
	return a.Store.Audit().DeleteBefore(ctx, t.UTC())
}
