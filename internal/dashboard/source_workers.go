package dashboard

import (
	"context"
	"fmt"
	"sort"

	"github.com/integr8scode/replayctl/internal/store"
)

// Workers reads the live run leases of sessions and of jobs, limit each,
// and returns the most recently taken first, at most limit in all.
func (s *source) Workers(ctx context.Context, limit int64) ([]Holding, error) {
	svc, err := s.services(ctx)
	if err != nil {
		return nil, err
	}
	limit = max(limit, 1)
	sessions, _, err := svc.replay.LiveRuns(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("list session leases: %w", err)
	}
	jobs, _, err := svc.jobs.LiveRuns(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("list job leases: %w", err)
	}
	out := make([]Holding, 0, len(sessions)+len(jobs))
	out = appendHoldings(out, "session", sessions)
	out = appendHoldings(out, "job", jobs)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Since.Equal(out[j].Since) {
			return out[i].Since.After(out[j].Since)
		}
		return out[i].ID < out[j].ID
	})
	if int64(len(out)) > limit {
		out = out[:limit]
	}
	return out, nil
}

func appendHoldings(out []Holding, kind string, docs []store.LeaseDoc) []Holding {
	for _, d := range docs {
		out = append(out, Holding{Kind: kind, ID: d.SessionID, Owner: d.Owner, Epoch: d.Epoch,
			Since: d.AcquiredAt.UTC(), RenewedAt: d.RenewedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()})
	}
	return out
}
