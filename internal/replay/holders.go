package replay

import (
	"context"

	"github.com/integr8scode/replayctl/internal/store"
)

// Holders returns the live run claim of each given session that has one,
// read in one query whatever the number of sessions, so a listing can show
// who runs what without a lookup per row. A session with several live run
// claims (a takeover in progress) gets the highest epoch.
func (s *Service) Holders(ctx context.Context, sessionIDs []string) (map[string]Lease, []store.Skipped, error) {
	out := make(map[string]Lease, len(sessionIDs))
	if len(sessionIDs) == 0 {
		return out, nil, nil
	}
	now := s.now()
	docs, skipped, err := s.Store.Leases().LiveFor(ctx, sessionIDs, purposeRun, now, 0)
	if err != nil {
		return nil, nil, err
	}
	for i := range docs {
		if _, seen := out[docs[i].SessionID]; !seen { // highest epoch first
			out[docs[i].SessionID] = leaseOf(&docs[i], now)
		}
	}
	return out, skipped, nil
}

// LiveRuns returns the live run claims of every session (who runs what
// right now), highest epoch first, at most limit (0 = all).
func (s *Service) LiveRuns(ctx context.Context, limit int64) ([]store.LeaseDoc, []store.Skipped, error) {
	return s.Store.Leases().LiveFor(ctx, nil, purposeRun, s.now(), limit)
}
