package dlq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/store"
)

// EnsureIndexes creates the indexes the DLQ work relies on: the contract's
// dlq_messages indexes (the unique event.event_id makes ingestion an
// idempotent insert) and replayctl's own. Indexes the platform already made
// under other names are accepted. The created_at TTL index is skipped where
// the server lacks TTL support. Process calls it; it runs once per Manager
// (until it succeeds).
func (m *Manager) EnsureIndexes(ctx context.Context) error {
	m.indexMu.Lock()
	defer m.indexMu.Unlock()
	if m.indexed {
		return nil
	}
	if err := m.ensureIndexes(ctx); err != nil {
		return err // a later call tries again
	}
	m.indexed = true
	return nil
}

func (m *Manager) ensureIndexes(ctx context.Context) error {
	unique := options.Index().SetUnique(true)
	sets := []struct {
		c      *mongo.Collection
		models []mongo.IndexModel
	}{
		{m.messages(), []mongo.IndexModel{
			{Keys: bson.D{{Key: "event.event_id", Value: 1}}, Options: unique},
			{Keys: bson.D{{Key: "event.event_type", Value: 1}}},
			{Keys: bson.D{{Key: "original_topic", Value: 1}}},
			{Keys: bson.D{{Key: "status", Value: 1}}},
			{Keys: bson.D{{Key: "failed_at", Value: 1}}},
		}},
		{m.coll(InvalidCollection), []mongo.IndexModel{
			{Keys: bson.D{{Key: "topic", Value: 1}, {Key: "partition", Value: 1}, {Key: "offset", Value: 1}}, Options: unique},
		}},
		{m.claims(), []mongo.IndexModel{{Keys: bson.D{{Key: "key", Value: 1}}}}},
	}
	for _, s := range sets {
		for _, model := range s.models {
			if err := createIndex(ctx, s.c, model); err != nil {
				return err
			}
		}
	}
	m.createTTL(ctx)
	return m.checkUniqueEventID(ctx)
}

func createIndex(ctx context.Context, c *mongo.Collection, model mongo.IndexModel) error {
	_, err := c.Indexes().CreateOne(ctx, model)
	var se mongo.ServerError
	// 85/86: the same keys are already indexed under another name or options.
	if err != nil && errors.As(err, &se) && (se.HasErrorCode(85) || se.HasErrorCode(86)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create index on %s: %w", c.Name(), store.Wrap(err))
	}
	return nil
}

// createTTL mirrors the platform's 7-day TTL on created_at where supported.
func (m *Manager) createTTL(ctx context.Context) {
	model := mongo.IndexModel{
		Keys:    bson.D{{Key: "created_at", Value: 1}},
		Options: options.Index().SetExpireAfterSeconds(int32(maxAge / time.Second)),
	}
	if _, err := m.messages().Indexes().CreateOne(ctx, model); err != nil {
		m.log().Debug("no TTL index on dlq_messages.created_at", "error", err)
	}
}

// checkUniqueEventID refuses to ingest without the unique index: without it
// a re-delivered record would be stored twice.
func (m *Manager) checkUniqueEventID(ctx context.Context) error {
	cur, err := m.messages().Indexes().List(ctx)
	if err != nil {
		return fmt.Errorf("list dlq_messages indexes: %w", store.Wrap(err))
	}
	var idx []struct {
		Key    bson.D `bson:"key"`
		Unique bool   `bson:"unique"`
	}
	if err := cur.All(ctx, &idx); err != nil {
		return fmt.Errorf("list dlq_messages indexes: %w", store.Wrap(err))
	}
	for _, ix := range idx {
		if ix.Unique && len(ix.Key) == 1 && ix.Key[0].Key == "event.event_id" {
			return nil
		}
	}
	return fmt.Errorf("%s has an index on event.event_id that is not unique; the contract requires a unique one (drop it so replayctl can create it)", m.messages().Name())
}
