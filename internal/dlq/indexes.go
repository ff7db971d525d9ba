package dlq

import "context"

// EnsureIndexes creates the indexes the DLQ work relies on: the contract's
// dlq_messages indexes (the unique event.event_id makes ingestion an
// idempotent insert) and replayctl's own. Process calls it; it runs once per
// Manager (until it succeeds).
func (m *Manager) EnsureIndexes(ctx context.Context) error {
	m.indexMu.Lock()
	defer m.indexMu.Unlock()
	if m.indexed {
		return nil
	}
	noTTL := func(err error) { m.log().Debug("no TTL index on dlq_messages.created_at", "error", err) }
	if err := m.Store.DLQ.EnsureIndexes(ctx, noTTL); err != nil {
		return err // a later call tries again
	}
	if err := m.Store.DLQInvalid().EnsureIndexes(ctx); err != nil {
		return err
	}
	if err := m.Store.DLQClaims().EnsureIndexes(ctx); err != nil {
		return err
	}
	m.indexed = true
	return nil
}
