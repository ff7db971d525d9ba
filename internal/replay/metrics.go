package replay

import "time"

// Metrics receives the engine's counters; the worker implements it with
// Prometheus. Calls are aggregated per event type and made at most a few
// times a second, never once per event.
type Metrics interface {
	EventsReplayed(sessionID, eventType string, n int)
	EventsFailed(sessionID, eventType string, n int)
	EventsSkipped(sessionID, eventType string, n int)
	// Lag is how far the replay position trails the wall clock: now minus
	// the original timestamp of the last event the target acknowledged.
	Lag(sessionID string, d time.Duration)
}

// typeCounts accumulates per-type outcomes between two metric flushes.
type typeCounts struct {
	replayed, failed, skipped map[string]int
}

func newTypeCounts() typeCounts {
	return typeCounts{replayed: map[string]int{}, failed: map[string]int{}, skipped: map[string]int{}}
}

func (c typeCounts) empty() bool {
	return len(c.replayed) == 0 && len(c.failed) == 0 && len(c.skipped) == 0
}

// flush hands the counts to m (nil-safe) and resets them.
func (c typeCounts) flush(m Metrics, sessionID string) {
	if m == nil {
		clear(c.replayed)
		clear(c.failed)
		clear(c.skipped)
		return
	}
	for t, n := range c.replayed {
		m.EventsReplayed(sessionID, t, n)
	}
	for t, n := range c.failed {
		m.EventsFailed(sessionID, t, n)
	}
	for t, n := range c.skipped {
		m.EventsSkipped(sessionID, t, n)
	}
	clear(c.replayed)
	clear(c.failed)
	clear(c.skipped)
}
