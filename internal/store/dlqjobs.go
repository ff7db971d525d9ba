package store

import (
	"context"
	"fmt"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Redrive job collections (package dlqjob); the platform never reads them.
const (
	// DLQJobsCollection holds one document per job, _id = job_id.
	DLQJobsCollection = "replayctl_dlq_jobs"
	// DLQJobLeasesCollection holds the holders' leases, one document per
	// job and epoch, in the shape of replay_leases (session_id = job_id).
	DLQJobLeasesCollection = "replayctl_dlq_job_leases"
	// DLQJobRequestsCollection holds cancel requests for a job's holder,
	// in the shape of replay_requests (session_id = job_id).
	DLQJobRequestsCollection = "replayctl_dlq_job_requests"
)

// DLQJobs is the `replayctl_dlq_jobs` collection: small, written only by a
// job's creator (the insert) and its lease holder.
type DLQJobs struct{ c *mongo.Collection }

// DLQJobs returns the job repository of this database.
func (s *Store) DLQJobs() *DLQJobs { return &DLQJobs{c: s.Coordination(DLQJobsCollection)} }

// DLQJobLeases is the lease repository of jobs.
func (s *Store) DLQJobLeases() *Leases { return &Leases{c: s.Coordination(DLQJobLeasesCollection)} }

// DLQJobRequests is the request repository of jobs.
func (s *Store) DLQJobRequests() *Requests {
	return &Requests{c: s.Coordination(DLQJobRequestsCollection)}
}

// Collection exposes the collection for tests.
func (r *DLQJobs) Collection() *mongo.Collection { return r.c }

// Name is the collection's name.
func (r *DLQJobs) Name() string { return r.c.Name() }

// Insert stores a new job document.
func (r *DLQJobs) Insert(ctx context.Context, doc any) error {
	err := WithRetry(ctx, func(ctx context.Context) error {
		_, err := r.c.InsertOne(ctx, doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("create DLQ job: %w", Wrap(err))
	}
	return nil
}

// Find runs a query over the jobs.
func (r *DLQJobs) Find(ctx context.Context, q bson.D, opts *options.FindOptionsBuilder) (*mongo.Cursor, error) {
	cur, err := r.c.Find(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("read DLQ jobs: %w", Wrap(err))
	}
	return cur, nil
}

// Resolve finds the one job whose id starts with prefix.
func (r *DLQJobs) Resolve(ctx context.Context, prefix string) (bson.Raw, error) {
	var raw bson.Raw
	err := WithRetry(ctx, func(ctx context.Context) error {
		var err error
		raw, err = r.c.FindOne(ctx, bson.D{{Key: "_id", Value: prefix}}).Raw()
		return err
	})
	if err == nil {
		return raw, nil
	}
	if err != mongo.ErrNoDocuments {
		return nil, fmt.Errorf("look up DLQ job %s: %w", prefix, Wrap(err))
	}
	q := bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(prefix)}}}}
	cur, err := r.c.Find(ctx, q, options.Find().SetLimit(maxCandidates+1))
	if err != nil {
		return nil, fmt.Errorf("look up DLQ job %s: %w", prefix, Wrap(err))
	}
	defer cur.Close(ctx)
	var (
		found []bson.Raw
		ids   []string
	)
	for cur.Next(ctx) {
		found = append(found, append(bson.Raw(nil), cur.Current...))
		ids = append(ids, DocID(cur.Current))
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("look up DLQ job %s: %w", prefix, Wrap(err))
	}
	if err := resolveOne("DLQ job", prefix, ids); err != nil {
		return nil, err
	}
	return found[0], nil
}

// Set applies $set to one job while the holder's epoch recorded in it is
// epoch (0 = whoever, for the creator and a control claim): a holder that
// lost the job to a later epoch matches nothing. On MongoDB the condition
// is atomic; on the embedded server it is a best-effort guard and the
// lease keeps writers apart (EMBEDDED.md).
func (r *DLQJobs) Set(ctx context.Context, id string, epoch int64, set bson.D) (bool, error) {
	q := bson.D{{Key: "_id", Value: id}}
	if epoch > 0 {
		q = append(q, bson.E{Key: "holder.epoch", Value: bson.D{{Key: "$lte", Value: epoch}}})
	}
	matched, err := updateOne(ctx, r.c, q, setDoc(set))
	if err != nil {
		return false, fmt.Errorf("update DLQ job %s: %w", id, Wrap(err))
	}
	return matched, nil
}

// EnsureDLQJobIndexes creates the lookup indexes of jobs, their leases and
// requests if they are missing.
func (s *Store) EnsureDLQJobIndexes(ctx context.Context) error {
	if err := ensureIndexes(ctx, s.DLQJobs().c, []IndexSpec{{Keys: bson.D{{Key: "status", Value: 1}, {Key: "created_at", Value: -1}}}}); err != nil {
		return err
	}
	if err := s.DLQJobLeases().EnsureIndexes(ctx); err != nil {
		return err
	}
	return s.DLQJobRequests().EnsureIndexes(ctx)
}
