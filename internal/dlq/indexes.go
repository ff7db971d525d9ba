package dlq

import (
	"context"
	"errors"

	"github.com/integr8scode/replayctl/internal/store"
)

// EnsureIndexes makes sure the indexes the DLQ work relies on exist,
// creating only the missing ones, so a role without createIndex works
// where an administrator made them. Only the unique event.event_id on
// dlq_messages is required (it makes ingestion an idempotent insert); the
// others are logged when they cannot be made and the work goes on, slower.
// Process calls it; it runs once per Manager (until it succeeds).
func (m *Manager) EnsureIndexes(ctx context.Context) error {
	m.indexMu.Lock()
	defer m.indexMu.Unlock()
	if m.indexed {
		return nil
	}
	for _, ensure := range []func(context.Context) error{
		m.Store.DLQ.EnsureIndexes, m.Store.DLQInvalid().EnsureIndexes, m.Store.DLQClaims().EnsureIndexes,
		m.Store.DLQEdits().EnsureIndexes,
	} {
		if err := ensure(ctx); err != nil && !m.optionalIndexes(err) {
			return err // a later call tries again
		}
	}
	m.indexed = true
	return nil
}

// optionalIndexes logs err and reports true when it is only about optional
// indexes. The embedded server has no TTL indexes: that is logged quietly.
func (m *Manager) optionalIndexes(err error) bool {
	var e *store.IndexesNotCreatedError
	if !errors.As(err, &e) {
		return false
	}
	if e.Unsupported() {
		m.log().Debug("index not supported by this server", "collection", e.Collection, "error", err)
	} else {
		m.log().Warn("optional index missing", "collection", e.Collection, "error", err)
	}
	return true
}
