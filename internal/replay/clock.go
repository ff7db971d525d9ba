package replay

import (
	"context"
	"time"
)

// clockSkew estimates how far the server's clock is ahead of ours from one
// round trip: the server read its clock somewhere between before and
// after, so the estimate is off by at most half the round trip.
func clockSkew(before, after, server time.Time) (skew, uncertainty time.Duration) {
	rtt := after.Sub(before)
	mid := before.Add(rtt / 2)
	return server.Sub(mid), rtt / 2
}

// skewTooLarge reports whether the clocks certainly differ by more than
// threshold: the estimate minus its uncertainty still exceeds it. A slow
// round trip never raises a false alarm.
func skewTooLarge(before, after, server time.Time, threshold time.Duration) (time.Duration, bool) {
	skew, unc := clockSkew(before, after, server)
	return skew, skew.Abs()-unc > threshold
}

// maxSkew is the clock difference lease expiry tolerates (see lease.go):
// half the margin, leaving the other half to writes in flight.
func (s *Service) maxSkew() time.Duration { return s.ttl() / 10 }

// CheckClock compares this host's clock with the MongoDB server's (hello's
// localTime) once per Service and logs a warning when they differ by more
// than the leases tolerate. Leases compare times written by different
// hosts; the server's clock stands in for theirs.
func (s *Service) CheckClock(ctx context.Context) {
	l := s.Logger
	if l == nil {
		return // nobody to tell
	}
	s.clockOnce.Do(func() {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		server, before, after, err := s.Store.ServerTime(ctx)
		if err != nil {
			l.Debug("could not compare clocks with MongoDB", "error", err)
			return
		}
		if skew, bad := skewTooLarge(before, after, server, s.maxSkew()); bad {
			l.Warn("this host's clock differs from MongoDB's by more than session leases tolerate; synchronise clocks (NTP)",
				"server_ahead_by", skew.Round(time.Millisecond), "tolerated", s.maxSkew())
		}
	})
}
