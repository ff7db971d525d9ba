package dlqjob

import (
	"context"

	"github.com/integr8scode/replayctl/internal/store"
)

// LiveRuns returns the live leases of the processes running jobs (a
// lease's SessionID is its job id), highest epoch first, at most limit
// (0 = all).
func (s *Service) LiveRuns(ctx context.Context, limit int64) ([]store.LeaseDoc, []store.Skipped, error) {
	return s.Store.DLQJobLeases().LiveFor(ctx, nil, purposeRun, s.now(), limit)
}
